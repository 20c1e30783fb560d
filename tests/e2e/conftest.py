"""Fixtures for end-to-end tests: a running stack (broker, ingest, portal) on a SQLite database, whose
processes must not log a traceback."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.user import Role
from tests.e2e.stack import Stack, describe_tracebacks, start_stack
from tests.support.factories import BROKER, ENTERPRISE

OTHER_ENTERPRISE = "91370602MA3C7N8X1C"

ACCOUNTS = {
    "exporter-a": (Role.ENTERPRISE, ENTERPRISE, None),
    "exporter-b": (Role.ENTERPRISE, None, None),  # USCC filled in below (valid check character)
    "broker": (Role.ENTERPRISE, BROKER, None),
    "ytct": (Role.TERMINAL, None, "YTCT"),
    "office": (Role.PORT_OFFICE, None, None),
}


def _other_uscc() -> str:
    from stdnum.cn import uscc
    return OTHER_ENTERPRISE[:17] + uscc.calc_check_digit(OTHER_ENTERPRISE[:17])


@pytest.fixture
def stack(sqlite_url: str, make_settings, tmp_path: Path) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    """The running stack; the test fails at teardown when one of its processes logged a traceback."""
    accounts = dict(ACCOUNTS, **{"exporter-b": (Role.ENTERPRISE, _other_uscc(), None)})
    running = start_stack(make_settings(sqlite_url, batch_seconds=0.05), tmp_path / "stack", accounts)
    yield running
    running.stop()
    fail_on_tracebacks(running)


def fail_on_tracebacks(running: Stack) -> None:
    """Fail the current test, showing the excerpts, when the stack's processes logged a traceback."""
    found = running.tracebacks()
    if found:
        pytest.fail(describe_tracebacks(found), pytrace=False)
