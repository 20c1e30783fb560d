"""The processes of a fault test, each a real `clearance` command with its output in a log file: ingest
workers (dynamic members of one group, so that every crash forces a rebalance) and portal processes
behind a real nginx. Killing, stopping and timing them is what the fault tests do."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.stack import LoggedTraceback, find_tracebacks
from tests.support.http import free_port, wait_for_http


@dataclass
class Managed:
    """One kind of process (`clearance ingest` or `clearance portal`), started again under the same name."""

    name: str
    args: list[str]
    env: dict[str, str]
    logs: Path
    process: subprocess.Popen[bytes] | None = None
    log_starts: dict[Path, int] = field(default_factory=dict)
    starts: int = 0

    def start(self) -> Managed:
        self.starts += 1
        log_file = self.logs / f"{self.name}.{self.starts}.log"
        with open(log_file, "wb") as out:  # the process keeps its own descriptor
            self.log_starts[log_file] = 0
            self.process = subprocess.Popen([sys.executable, "-m", "clearance.cli", *self.args], env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9, and reap it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60.0) -> tuple[int, float]:
        """SIGTERM; returns its exit status and how long it took to exit."""
        assert self.process is not None
        asked = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait(timeout=30)
        return status, time.monotonic() - asked

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        """Return once its current run has logged `text` (a worker logs "assigned" once it has joined)."""
        log_file = self.logs / f"{self.name}.{self.starts}.log"
        deadline = time.monotonic() + timeout
        while text not in log_file.read_text(errors="replace"):
            if not self.alive or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not log {text!r}:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        """Everything its runs wrote, the last 3,000 characters of each."""
        return "\n".join(f"--- {f.name}:\n{f.read_text(errors='replace')[-3000:]}" for f in self.log_starts)

    def tracebacks(self) -> list[LoggedTraceback]:
        return [found for log_file, start in self.log_starts.items() for found in find_tracebacks(log_file, start)]


def ingest_worker(name: str, env: dict[str, str], logs: Path) -> Managed:
    return Managed(f"ingest-{name}", ["ingest", "--quiet"], env, logs).start()


def portal(name: str, env: dict[str, str], logs: Path) -> tuple[Managed, int]:
    port = free_port()
    managed = Managed(f"portal-{name}", ["portal"], env | {"PORTAL_HOST": "127.0.0.1", "PORTAL_PORT": str(port),
                                                          "PORTAL_TOKEN_RATE": "0"}, logs)
    return managed.start(), port


def wait_for_portal(managed: Managed, port: int) -> None:
    def alive() -> None:
        if not managed.alive:
            raise RuntimeError(f"{managed.name} exited:\n{managed.output()}")
    wait_for_http(f"http://127.0.0.1:{port}/readyz", alive, timeout=90.0)
