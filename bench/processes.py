"""Real processes for the portal benchmarks: `clearance ingest` and `clearance portal` on one database
and a fresh set of topics, with their logs, liveness and shutdown."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from support import ROOT

from events.kafka import ensure_topics
from tests.support.http import free_port, wait_for_http


@dataclass
class Stack:
    """Real `clearance ingest` / `clearance portal` processes on one database and a fresh set of topics."""

    bootstrap: str
    database_url: str
    workdir: Path
    batch_seconds: float = 0.1
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def events_topic(self) -> str:
        return f"bench.{self.tag}.events"

    @property
    def updates_topic(self) -> str:
        return f"bench.{self.tag}.updates"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEARANCE_", "PORTAL_"))}
        env.update({"CLEARANCE_DATA_DIR": str(self.workdir), "DATABASE_URL": self.database_url,
                    "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "CLEARANCE_EVENTS_TOPIC": self.events_topic,
                    "CLEARANCE_DLQ_TOPIC": f"bench.{self.tag}.dlq", "CLEARANCE_UPDATES_TOPIC": self.updates_topic,
                    "CLEARANCE_GROUP_ID": f"bench-{self.tag}", "CLEARANCE_BATCH_SECONDS": str(self.batch_seconds),
                    "LOG_LEVEL": "WARNING",
                    "PORTAL_TOKEN_RATE": "0"},  # a benchmark drives the portal with a few tokens, fast
                   **extra)
        return env

    def topics(self) -> None:
        ensure_topics(self.bootstrap, {self.events_topic: 4, f"bench.{self.tag}.dlq": 1, self.updates_topic: 4})

    def start(self, name: str, command: list[str], **extra: str) -> subprocess.Popen[bytes]:
        """Run `python COMMAND...` (e.g. ["-m", "clearance.cli", "ingest"]) with this stack's environment."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, *command], env=self.env(**extra),
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.processes[name] = process
        return process

    def ingest(self, name: str = "ingest", profile: Path | None = None) -> subprocess.Popen[bytes]:
        """`clearance ingest` (under cProfile, writing `profile` when it stops, if given)."""
        wrap = ["-m", "cProfile", "-o", str(profile)] if profile else []
        return self.start(name, [*wrap, "-m", "clearance.cli", "ingest", "--quiet"], LOG_LEVEL="INFO")

    def portal(self, name: str = "portal", port: int | None = None,
               command: list[str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
        """`clearance portal` (or another command serving the same app)."""
        port = port or free_port()
        process = self.start(name, command or ["-m", "clearance.cli", "portal"], PORTAL_HOST="127.0.0.1",
                             PORTAL_PORT=str(port))
        base = f"http://127.0.0.1:{port}"
        self.wait_http(f"{base}/login")
        return process, base

    def wait_http(self, url: str, timeout: float = 90.0) -> None:
        wait_for_http(url, self.check_alive, timeout)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def cleanup(self, keep: bool) -> None:
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
