"""One database Session per request (or Socket.IO event): opened on first use, closed at teardown.
Only the request commits.

The rule for writes, stated once here so that no write path can forget it: a request that may write
(POST, PUT, PATCH, DELETE) gets a session that takes the database's write lock *before its first read*
and waits at most `write_wait_seconds` for it. On SQLite that is `BEGIN IMMEDIATE`, begun ahead of every
ingest transaction not yet begun (`models.sqlite_turns`: SQLite's own busy wait let a worker with a backlog
take the lock again and again while a login slept, until its wait ran out). A deferred
transaction that read first and then tried to write while an ingest batch committed in between would
fail at once with SQLITE_BUSY (a WAL read snapshot cannot be upgraded, and the busy timeout does not
apply to that case). On PostgreSQL the session sets a `lock_timeout`. When the lock cannot be had in
time the request answers 503 with the portal's message (`DatabaseBusy`), never a 500. Requests that
only read (GET, Socket.IO events) use deferred transactions and never wait for a writer. A POST that
never writes to the database can say so with `@reads_only`, and one that does not write when a condition
of the request holds (a dry run) with `@reads_only_when(condition)`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, session_factory
from portal.errors import Unavailable

WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
View = TypeVar("View", bound=Callable[..., Any])


class DatabaseBusy(Unavailable):
    """The write lock could not be had in time (a long ingest batch, or the database is down)."""


def init_db(app: Flask, database_url: str, write_wait_seconds: float = 5.0) -> Engine:
    """Bind the reading and writing session factories to the app; sessions close when the app context
    ends. Returns the readers' engine."""
    readers = make_engine(database_url, serialize_writers=False)
    if readers.dialect.name == "sqlite":
        writers = make_engine(database_url, serialize_writers=True, first_turn_within=write_wait_seconds)
    else:
        writers = readers  # one pool: the lock timeout is set per writing transaction
    app.extensions["clearance_sessions"] = session_factory(readers)
    app.extensions["clearance_writer_sessions"] = session_factory(writers)
    app.extensions["clearance_engine"] = readers
    app.extensions["clearance_write_wait"] = write_wait_seconds
    app.teardown_appcontext(_close_session)
    app.register_error_handler(OperationalError, _database_unavailable)
    return readers


def reads_only(view: View) -> View:
    """Mark a POST (or other writing-method) view that never writes to the database."""
    view.reads_only = True  # type: ignore[attr-defined]
    return view


def reads_only_when(condition: Callable[[], bool]) -> Callable[[View], View]:
    """Mark a writing-method view that does not write to the database when `condition()` holds for the
    request (checked at the request's first database use): such a request reads without the lock."""
    def mark(view: View) -> View:
        view.reads_only_when = condition  # type: ignore[attr-defined]
        return view
    return mark


def db_session() -> Session:
    """The Session of the current request (or Socket.IO event): a writing one for a request that may
    write (see the module's docstring), a reading one otherwise."""
    if "db_session" not in g:
        g.db_session = _writing_session() if _request_writes() else _reading_session()
    return g.db_session  # type: ignore[no-any-return]


def _request_writes() -> bool:
    if not has_request_context() or request.method not in WRITING_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    condition = getattr(view, "reads_only_when", None)
    return not getattr(view, "reads_only", False) and not (condition is not None and condition())


def _reading_session() -> Session:
    factory: sessionmaker[Session] = current_app.extensions["clearance_sessions"]
    return factory()


def _writing_session() -> Session:
    factory: sessionmaker[Session] = current_app.extensions["clearance_writer_sessions"]
    session = factory()
    try:
        connection = session.connection()  # SQLite: BEGIN IMMEDIATE now, the write lock before any read
        if connection.dialect.name == "postgresql":
            wait_ms = int(current_app.extensions["clearance_write_wait"] * 1000)
            session.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
    except OperationalError as exc:
        session.close()
        raise _busy(exc) from None
    return session


def _busy(exc: OperationalError) -> DatabaseBusy:
    current_app.logger.warning("database write lock not had in time: %s", exc.orig)
    return DatabaseBusy("the database is busy or unavailable; nothing was changed, try again in a moment")


def _database_unavailable(exc: OperationalError) -> Any:
    """A database that stopped answering (or a lock timeout mid-request) is a 503, not a 500."""
    return current_app.handle_user_exception(_busy(exc))


def _close_session(_exc: BaseException | None) -> None:
    """Close the request's session. One whose connection the database dropped mid-transaction (an
    outage, a failover) cannot roll back: its connection is discarded instead, in one warning line,
    and the answer already given (a 503, an `unavailable`) stands."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except DBAPIError as exc:
        current_app.logger.warning("database connection lost before the request's session closed (%s: %s)",
                                   type(exc.orig).__name__, str(exc.orig).strip())
        session.invalidate()
