"""Logging in while ingest writes: the real workers and portal processes, the simulator publishing a few
hundred events a second, and many logins — good and bad — through HTTP, on SQLite (the demo's default,
where they answered 500 before the portal took the write lock first) and on PostgreSQL."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from clearance.config import Settings
from models import StoredEvent
from models.db import make_engine, session_factory
from models.user import Role
from tests.conftest import settings_env, truncate
from tests.e2e.stack import PASSWORD, Stack, start_stack
from tests.support.factories import BROKER, ENTERPRISE

ACCOUNTS = {"exporter": (Role.ENTERPRISE, ENTERPRISE, None), "broker": (Role.ENTERPRISE, BROKER, None),
            "ytct": (Role.TERMINAL, None, "YTCT"), "office": (Role.PORT_OFFICE, None, None)}


@pytest.fixture(params=["sqlite", "postgresql"])
def busy_stack(request: pytest.FixtureRequest, make_settings, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """A running stack with the simulator publishing into it, once ingest is seen storing."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("postgres_url")
        truncate(url)
    settings: Settings = make_settings(url, batch_seconds=0.05)
    stack = start_stack(settings, tmp_path / "stack", ACCOUNTS)
    try:
        with simulating(settings):
            yield stack
    finally:
        stack.stop()


@contextmanager
def simulating(settings: Settings, rate: int = 300) -> Iterator[None]:
    """The simulator publishing `rate` events a second into the stack's topics; yields once ingest is
    seen storing, and checks at the end that it was still writing all along."""
    simulator = subprocess.Popen(
        [sys.executable, "-m", "clearance.cli", "simulate", "--quiet", "--rate", str(rate), "--count", "30000",
         "--speed", "60", "--seed", "7"], env=settings_env(settings), stdout=subprocess.DEVNULL)
    try:
        before = wait_until_storing(settings.database_url, at_least=200)
        yield
        assert simulator.poll() is None, "the simulator stopped early: the logins did not run under load"
        assert stored_count(settings.database_url) > before, "ingest was not writing during the logins"
    finally:
        simulator.terminate()
        simulator.wait(30)


def stored_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(StoredEvent)) or 0
    finally:
        engine.dispose()


def wait_until_storing(url: str, at_least: int, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while (count := stored_count(url)) < at_least:
        assert time.monotonic() < deadline, f"ingest stored fewer than {at_least} events in {timeout:.0f} s"
        time.sleep(0.5)
    return count


def log_in(stack: Stack, name: str, password: str) -> requests.Response:
    browser = requests.Session()
    form = browser.get(f"{stack.base_url}/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, form.text[:300]
    return browser.post(f"{stack.base_url}/login", timeout=30, allow_redirects=False,
                        data={"name": name, "password": password, "csrf_token": token.group(1)})


def test_logins_answer_as_they_should_while_ingest_writes(busy_stack: Stack) -> None:
    outcomes = []
    for attempt in range(24):
        name = list(ACCOUNTS)[attempt % len(ACCOUNTS)]
        if attempt % 3 == 2:  # a wrong password, each time for another name (no throttling in play)
            outcomes.append(("bad", log_in(busy_stack, f"nobody-{attempt}", "wrong").status_code))
        else:
            outcomes.append(("good", log_in(busy_stack, name, PASSWORD).status_code))
    wrong = [(kind, status) for kind, status in outcomes
             if status != {"good": 302, "bad": 401}[kind]]
    assert not wrong, f"{len(wrong)} of {len(outcomes)} logins answered wrongly: {wrong}"
