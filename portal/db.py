"""One database Session per request (or Socket.IO event): opened on first use, closed at teardown.
Only the request commits."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, session_factory


def init_db(app: Flask, database_url: str) -> Engine:
    """Bind an engine and a session factory to the app; sessions close when the app context ends."""
    engine = make_engine(database_url, serialize_writers=False)  # reads mostly; never queue behind ingest
    app.extensions["clearance_sessions"] = session_factory(engine)
    app.extensions["clearance_engine"] = engine
    app.teardown_appcontext(_close_session)
    return engine


def db_session() -> Session:
    """The Session of the current request (or Socket.IO event)."""
    if "db_session" not in g:
        factory: sessionmaker[Session] = current_app.extensions["clearance_sessions"]
        g.db_session = factory()
    return g.db_session  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
