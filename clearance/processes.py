"""The processes `clearance run` starts. Each one's output goes to `<data>/logs/<name>.log` (or, with
`--verbose`, to the terminal), so that nothing scrolls through the status line. Each runs in its own
process group: Ctrl-C reaches `clearance run` alone, which then stops them all with SIGTERM (the ingest
workers finish their batch and commit)."""
from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ChildProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_file: Path | None  # None: its output goes to the terminal

    def exit_status(self) -> int | None:
        return self.process.poll()

    def failed(self) -> bool:
        return self.exit_status() not in (None, 0)

    def last_lines(self, count: int = 15) -> str:
        if self.log_file is None:
            return ""
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-count:])


def start_child(name: str, args: Sequence[str], env: dict[str, str], log_dir: Path | None) -> ChildProcess:
    """Start `args` as `name`, appending its output to `<log_dir>/<name>.log` under a line saying when it
    started (to the terminal when `log_dir` is None)."""
    if log_dir is None:
        return ChildProcess(name, subprocess.Popen(args, env=env, process_group=0), None)
    log_file = log_dir / f"{name}.log"
    with open(log_file, "ab") as out:  # the child keeps its own copy of the descriptor
        out.write(f"---- {time.strftime('%Y-%m-%d %H:%M:%S %z')} clearance run started {name}\n".encode())
        out.flush()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, process_group=0)
    return ChildProcess(name, process, log_file)


def stop_children(children: Sequence[ChildProcess], timeout: float = 30.0) -> None:
    """SIGTERM every child still running, wait up to `timeout` seconds for each, then SIGKILL."""
    for child in children:
        if child.exit_status() is None:
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
