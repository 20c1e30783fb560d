"""A whole running system for end-to-end tests: the test broker, a database, `clearance ingest` and
`clearance portal` as real processes, and one user per role with a password and an API token."""
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


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    uscc: str | None
    terminal: str | None
    token: str


@dataclass
class Stack:
    settings: Settings
    base_url: str
    accounts: dict[str, Account] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

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
        out = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
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
