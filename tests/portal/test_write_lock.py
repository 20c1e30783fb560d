"""Writing requests take the database's write lock before they read, wait a bounded time for it, and
answer 503 (never 500) when it cannot be had; reading requests never wait for a writer. Another
connection plays the ingest worker holding its batch transaction."""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from clearance.config import Settings
from models.db import make_engine
from tests.portal.conftest import PASSWORD, MakeApp, Person
from tests.portal.test_login import csrf_token


@contextmanager
def writer_holding_lock(database_url: str, seconds: float,
                        table: str = "login_failures") -> Iterator[threading.Event]:
    """Another connection holds the write lock (SQLite) or `table` (PostgreSQL) for `seconds` and commits,
    like an ingest batch. Yields an event that is set once it has committed."""
    taken, committed = threading.Event(), threading.Event()

    def hold() -> None:
        if database_url.startswith("sqlite"):
            connection = sqlite3.connect(database_url[len("sqlite:///"):], isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO login_failures (name, failed_at) VALUES ('ingest', '2026-01-01')")
            taken.set()
            time.sleep(seconds)
            connection.execute("COMMIT")
            connection.close()
        else:
            engine = make_engine(database_url)
            with engine.begin() as connection:
                connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
                taken.set()
                time.sleep(seconds)
            engine.dispose()
        committed.set()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(10), "the other writer never got the lock"
    try:
        yield committed
    finally:
        thread.join(seconds + 10)


def login_form(client: FlaskClient, name: str, password: str) -> dict[str, str]:
    return {"name": name, "password": password, "csrf_token": csrf_token(client.get("/login").data)}


@pytest.mark.usefixtures("people")
def test_logins_wait_behind_a_writer_instead_of_failing(client: FlaskClient, database_url: str) -> None:
    """The first thing a person does: logging in while ingest commits batches (a 500 on SQLite before)."""
    good = login_form(client, "port_office", PASSWORD)
    with writer_holding_lock(database_url, 1.0) as committed:
        response = client.post("/login", data=good)
        assert committed.is_set(), "the login did not wait for the writer's lock"
    assert response.status_code == 302 and response.headers["Location"] == "/"
    other = client.application.test_client()
    bad = login_form(other, "port_office", "wrong password")
    with writer_holding_lock(database_url, 1.0):
        assert other.post("/login", data=bad).status_code == 401


@pytest.mark.usefixtures("people")
def test_a_lock_not_had_in_time_answers_503_with_the_portals_message(
        make_app: MakeApp, portal_settings: Settings, database_url: str) -> None:
    client = make_app(portal_settings, write_wait_seconds=0.3).test_client()
    form = login_form(client, "port_office", PASSWORD)
    with writer_holding_lock(database_url, 3.0) as committed:
        response = client.post("/login", data=form)
        assert not committed.is_set(), "the request waited for the whole transaction, not a bounded time"
    assert response.status_code == 503
    assert "busy" in response.get_data(as_text=True)
    assert client.post("/login", data=login_form(client, "port_office", PASSWORD)).status_code == 302


def test_reads_never_wait_for_a_writer(client: FlaskClient, people: dict[str, Person], database_url: str) -> None:
    with writer_holding_lock(database_url, 3.0) as committed:
        answer = client.get("/api/v1/session", headers=people["port_office"].headers)
        assert not committed.is_set(), "a read waited for the writer"
    assert answer.status_code == 200 and answer.get_json()["name"] == "port_office"


@contextmanager
def batches_back_to_back(database_url: str, seconds: float) -> Iterator[list[float]]:
    """An ingest worker's engine committing transactions of `seconds` one after another, each begun the
    moment the last committed (as a worker with a backlog does). Yields the list of their commit times."""
    engine, stop, commits = make_engine(database_url), threading.Event(), []

    def work() -> None:
        while not stop.is_set():
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    connection.execute(text("LOCK TABLE login_failures IN ACCESS EXCLUSIVE MODE"))
                connection.execute(text("INSERT INTO login_failures (name, failed_at) VALUES ('ingest', '2026-01-01')"))
                time.sleep(seconds)
            commits.append(time.monotonic())

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        while not commits:
            time.sleep(0.01)
        yield commits
    finally:
        stop.set()
        thread.join(seconds + 10)
        engine.dispose()


@pytest.mark.usefixtures("people")
def test_a_login_gets_its_turn_between_back_to_back_batches(client: FlaskClient, database_url: str) -> None:
    """SQLite's busy handler is not fair: a worker that begins its next batch the moment it commits took the
    lock again before the sleeping login saw it free, and the login answered 503 after 5 s (the demo's history
    phase). The login now goes before every batch not yet begun, so it waits for one batch at most."""
    with batches_back_to_back(database_url, 0.4) as commits:
        before = len(commits)
        for _ in range(3):
            form = login_form(client, "port_office", PASSWORD)
            started = time.monotonic()
            response = client.post("/login", data=form)
            waited = time.monotonic() - started
            assert response.status_code == 302, f"the login answered {response.status_code} after {waited:.1f} s"
            assert waited < 2.5, f"the login waited {waited:.1f} s behind batches of 0.4 s"
        assert len(commits) > before, "the worker was not committing while the logins ran"
