"""The e2e harness fails a test whose stack processes logged a Python traceback, even when every answer
looked right: the detector on a log written here, a real stack that stays clean, and a real portal made
to fail unexpectedly (a user row it cannot read, written behind its back) whose traceback is found."""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import ACCOUNTS, fail_on_tracebacks
from tests.e2e.stack import Stack, find_tracebacks, start_stack
from tests.support.factories import CONTAINER, event

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # what `clearance` logs with


@contextmanager
def log_into(path: Path, name: str) -> Iterator[logging.Logger]:
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        handler.close()


def log_a_chained_error(logger: logging.Logger) -> None:
    try:
        try:
            stages: dict[str, str] = {}
            stages["missing"]  # noqa: B018 - the KeyError is the point
        except KeyError as exc:
            raise RuntimeError("the container view broke") from exc
    except RuntimeError:
        logger.exception("request 0123abcd4567: unexpected error on GET /")


def test_the_detector_finds_each_traceback_with_its_message_and_exception(tmp_path: Path) -> None:
    log_file = tmp_path / "portal.log"
    with log_into(log_file, "test.detector") as logger:
        logger.warning("a message that only mentions the word Traceback")
        log_a_chained_error(logger)
        logger.info("serving on as before")
    found = find_tracebacks(log_file)
    assert len(found) == 2  # the KeyError, then the RuntimeError raised while handling it
    first, second = (t.excerpt.splitlines() for t in found)
    assert first[1].startswith("Traceback (most recent call last)") and first[-1] == "KeyError: 'missing'"
    assert "request 0123abcd4567: unexpected error on GET /" in first[0]
    assert second[-1] == "RuntimeError: the container view broke"
    assert all(t.log_file == log_file and "serving on as before" not in t.excerpt for t in found)


def test_the_detector_reads_only_what_was_written_after_the_start(tmp_path: Path) -> None:
    log_file = tmp_path / "ingest.log"
    with log_into(log_file, "test.detector.start") as logger:
        log_a_chained_error(logger)
        start = log_file.stat().st_size
        logger.info("a later batch, stored")
    assert len(find_tracebacks(log_file)) == 2 and find_tracebacks(log_file, start) == []


def test_a_stack_that_does_real_work_logs_no_traceback(stack: Stack) -> None:
    stack.publish(event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"))
    office = {"Authorization": f"Bearer {stack.accounts['office'].token}"}
    assert requests.get(f"{stack.base_url}/no/such/page", timeout=10).status_code == 404
    assert requests.get(f"{stack.base_url}/api/v1/containers/{CONTAINER}x", headers=office,
                        timeout=10).status_code in (400, 404)
    assert requests.post(f"{stack.base_url}/login", data={"name": "office", "password": "wrong"},
                         timeout=10).status_code == 400  # no CSRF token
    assert {path.name for path in stack.log_starts} == {"ingest.log", "portal.log"}
    assert all(path.stat().st_size > 0 for path in stack.log_starts)  # the detector reads what they write
    stack.assert_no_tracebacks()


def test_a_portal_that_logged_a_traceback_fails_the_test(sqlite_url: str, make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = start_stack(make_settings(sqlite_url), tmp_path / "stack", {"office": ACCOUNTS["office"]})
    try:
        office = {"Authorization": f"Bearer {stack.accounts['office'].token}"}
        assert requests.get(f"{stack.base_url}/api/v1/containers", headers=office, timeout=10).status_code == 200
        stack.assert_no_tracebacks()
        with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as database, database:
            database.execute("UPDATE users SET created_at = 'no time at all'")  # a row it cannot read
        answer = requests.get(f"{stack.base_url}/api/v1/containers", headers=office, timeout=10)
        assert answer.status_code == 500, answer.text
        request_id = answer.json()["request_id"]
        [found] = [t for t in stack.tracebacks() if request_id in t.excerpt]
        assert found.log_file.name == "portal.log" and "ValueError: Invalid isoformat string" in found.excerpt
        with pytest.raises(AssertionError, match=request_id):
            stack.assert_no_tracebacks()
        with pytest.raises(pytest.fail.Exception, match="Python traceback"):
            fail_on_tracebacks(stack)  # what the `stack` fixture runs at teardown
    finally:
        stack.stop()
