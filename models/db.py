"""Engines, sessions and schema upgrades for the two databases the project runs on."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from events import jsontext
from models import sqlite_turns

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, *, serialize_writers: bool = True, first_turn_within: float | None = None,
                **options: Any) -> Engine:
    """An engine for a PostgreSQL (psycopg 3) or SQLite URL. SQLite gets WAL and, for writers
    (`serialize_writers`, ingest), BEGIN IMMEDIATE so that concurrent writers queue instead of failing
    mid-transaction; readers (the portal) keep deferred transactions and never wait for a writer.
    `first_turn_within` (seconds, SQLite, the portal's writers) begins each transaction ahead of every
    writer that has not begun yet (`models.sqlite_turns`), waiting at most that long."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        busy = sqlite_turns.PRIORITY_BUSY_SECONDS if first_turn_within is not None else 60
        options.setdefault("connect_args", {"timeout": busy})
        engine = create_engine(url, json_serializer=jsontext.dumps, **options)
        turnstile = sqlite_turns.turnstile_path(engine.url.database) if serialize_writers else None
        _sqlite_transactions(engine, "BEGIN IMMEDIATE" if serialize_writers else "BEGIN", turnstile,
                             first_turn_within)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=jsontext.dumps, **options)


def _sqlite_transactions(engine: Engine, begin: str, turnstile: str | None, first_turn_within: float | None) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if turnstile is None:
            connection.exec_driver_sql(begin)
        elif first_turn_within is not None:
            sqlite_turns.begin_first(connection, turnstile, first_turn_within, begin)
        else:
            sqlite_turns.pass_through(turnstile)
            connection.exec_driver_sql(begin)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating the SQLite file's folder if needed)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
