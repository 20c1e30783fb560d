"""The two write shapes ingest needs, for both databases it runs on (PostgreSQL and SQLite share the
ON CONFLICT syntax, but SQLAlchemy builds it per dialect)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}: use PostgreSQL or SQLite")


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert rows whose key is not there yet; leave existing rows untouched."""
    if rows:
        session.execute(_insert(session, table).on_conflict_do_nothing(index_elements=list(keys)), list(rows))


def upsert_newer(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
                 version_column: str) -> None:
    """Insert rows; where the key exists, overwrite only if the new row's version sorts higher."""
    if not rows:
        return
    stmt = _insert(session, table)
    columns = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: stmt.excluded[c] for c in columns},
        where=stmt.excluded[version_column] > table.c[version_column],
    )
    session.execute(stmt, list(rows))
