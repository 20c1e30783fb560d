"""A whole running system for end-to-end tests: the test broker, a database, `clearance ingest` and
`clearance portal` as real processes (their output in `<data>/logs/`), and one user per role with a
password and an API token. A Python traceback in those logs is a bug even when every answer looked right:
`Stack.tracebacks()` finds the ones written since the processes started."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from clearance.config import Settings
from events.codec import ClearanceEvent, encode, message_key
from events.kafka import ensure_topics
from clearance.config import pipeline_topics
from models.db import make_engine, session_factory
from models.user import Role, create_user, issue_token
from tests.conftest import settings_env
from tests.support.http import free_port, wait_for_http
from tests.support.pipeline import produce

PASSWORD = "correct horse battery staple"
TRACEBACK = "Traceback (most recent call last)"
EXCERPT_LINES = 60


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    uscc: str | None
    terminal: str | None
    token: str


@dataclass(frozen=True)
class LoggedTraceback:
    log_file: Path
    excerpt: str  # the line before it (usually the log message), the frames and the exception line


def find_tracebacks(log_file: Path, start: int = 0) -> list[LoggedTraceback]:
    """The Python tracebacks written to `log_file` from byte `start` on."""
    with open(log_file, "rb") as log:
        log.seek(start)
        lines = log.read().decode(errors="replace").splitlines()
    return [LoggedTraceback(log_file, "\n".join(_traceback_lines(lines, index)))
            for index, line in enumerate(lines) if TRACEBACK in line]


def _traceback_lines(lines: list[str], start: int) -> list[str]:
    excerpt = lines[max(0, start - 1):start + 1]
    for line in lines[start + 1:start + EXCERPT_LINES]:
        excerpt.append(line)
        if line and not line[0].isspace():  # the exception line ends the traceback
            break
    return excerpt


def describe_tracebacks(found: list[LoggedTraceback]) -> str:
    shown = "\n\n".join(f"--- {t.log_file}:\n{t.excerpt}" for t in found[:5])
    more = f"\n\n(and {len(found) - 5} more)" if len(found) > 5 else ""
    return f"{len(found)} Python traceback(s) in the stack's logs:\n\n{shown}{more}"


@dataclass
class Stack:
    settings: Settings
    base_url: str
    accounts: dict[str, Account] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    log_starts: dict[Path, int] = field(default_factory=dict)  # each process's log, and its size before

    def tracebacks(self) -> list[LoggedTraceback]:
        """The tracebacks the stack's processes logged since they started."""
        return [found for log_file, start in self.log_starts.items() for found in find_tracebacks(log_file, start)]

    def assert_no_tracebacks(self) -> None:
        """Raise AssertionError showing them when the processes logged a traceback (the `stack` fixture
        checks at teardown; call this to check mid-test, e.g. right after provoking something)."""
        found = self.tracebacks()
        if found:
            raise AssertionError(describe_tracebacks(found))

    def publish(self, *events: ClearanceEvent) -> None:
        """Put events on the events topic, as a publisher would."""
        produce(self.settings.kafka_bootstrap_servers, self.settings.events_topic,
                [(message_key(e), encode(e)) for e in events])

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def add_accounts(database_url: str, wanted: dict[str, tuple[Role, str | None, str | None]]) -> dict[str, Account]:
    engine = make_engine(database_url)
    accounts = {}
    with session_factory(engine)() as session:
        for name, (role, uscc, terminal) in wanted.items():
            user = create_user(session, name, role, uscc=uscc, terminal=terminal, password=PASSWORD)
            _, token = issue_token(session, user, "e2e")
            accounts[name] = Account(name, role.value, uscc, terminal, token)
        session.commit()
    engine.dispose()
    return accounts


def start_stack(settings: Settings, data_dir: Path,
                wanted: dict[str, tuple[Role, str | None, str | None]]) -> Stack:
    """Migrated database, accounts, topics, then an ingest worker and a portal; returns once the
    portal answers HTTP."""
    port = free_port()
    env = settings_env(settings) | {"PORTAL_HOST": "127.0.0.1", "PORTAL_PORT": str(port),
                                    "CLEARANCE_DATA_DIR": str(data_dir)}
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    stack = Stack(settings, f"http://127.0.0.1:{port}", add_accounts(settings.database_url, wanted))
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for name in ("ingest", "portal"):
        args = [sys.executable, "-m", "clearance.cli", name] + (["--quiet"] if name == "ingest" else [])
        log_file = logs / f"{name}.log"
        with open(log_file, "ab") as out:  # the process keeps its own descriptor
            stack.log_starts[log_file] = out.tell()
            stack.processes.append(subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT))
    try:
        wait_for_http(f"{stack.base_url}/login", lambda: _check_alive(stack, logs), timeout=60.0)
    except RuntimeError:
        stack.stop()
        raise
    return stack


def _check_alive(stack: Stack, logs: Path) -> None:
    if any(p.poll() is not None for p in stack.processes):
        raise RuntimeError("a stack process died:\n" + "\n".join(
            f.read_text(errors="replace")[-3000:] for f in logs.glob("*.log")))
