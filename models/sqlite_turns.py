"""Turns at SQLite's one write lock, so that a person is not kept waiting behind ingest.

SQLite lets one writer in at a time, and its busy handler is not fair: a waiter sleeps (up to 100 ms at a
time) and tries again, while an ingest worker that commits a batch begins its next one within microseconds.
The worker takes the lock again before a sleeping portal request sees it free: during the demo's history
phase (two workers, ~600 events/s) a login waited its whole 5 s and answered 503.

The turnstile is a lock file beside the database (`<database>-writers`):
- a *priority* writer (the portal) holds it exclusively while it waits for the write lock, and lets it go
  as soon as its transaction has begun;
- every other writer (ingest, the watchers, the CLI) passes through it, a shared lock taken and dropped,
  before it begins.
So while a portal request waits, no new ingest transaction begins: it waits at most for the transactions
already begun, one batch of each worker. The portal polls with `time.sleep`, which gevent makes
cooperative, instead of sleeping in SQLite's C busy handler, which would hold up the whole process.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

POLL_SECONDS = 0.002
PRIORITY_BUSY_SECONDS = 0.05  # SQLite's own wait per attempt of a priority writer


def turnstile_path(database: str | None) -> str | None:
    """The lock file for an SQLite database file, or None for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return database + "-writers"


def pass_through(path: str) -> None:
    """Wait while a priority writer is waiting or beginning (a shared lock, taken and dropped at once)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)  # closing drops the lock


def begin_first(connection: Any, path: str, wait_seconds: float, begin: str) -> None:
    """Begin `connection`'s transaction with `begin` (BEGIN IMMEDIATE) ahead of every writer that has not
    begun yet, waiting at most `wait_seconds`. Past that, the last attempt's error is SQLAlchemy's
    OperationalError ("database is locked"), as SQLite's own busy timeout would give."""
    deadline = time.monotonic() + wait_seconds
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if _hold(fd, deadline) and _begun(connection, begin, deadline):
            return
    finally:
        os.close(fd)
    connection.exec_driver_sql(begin)  # once more, with SQLite's short wait: succeeds, or raises its error


def _hold(fd: int, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def _begun(connection: Any, begin: str, deadline: float) -> bool:
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        while True:
            try:
                cursor.execute(begin)
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)
    finally:
        cursor.close()
