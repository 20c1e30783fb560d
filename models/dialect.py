"""The write shapes storage needs, for both databases it runs on. On PostgreSQL many rows go through
COPY (models.pg_copy); a few, and all on SQLite, as one executemany per statement (a compiled statement
SQLAlchemy caches; multi-row VALUES measured slower: each distinct row count compiles anew)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, any_, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute, Session

from models import pg_copy


COPY_MIN_ROWS = 100  # fewer go faster as executemany: COPY costs ~4 round trips whatever the row count


def _by_copy(session: Session, rows: Sequence[object]) -> bool:
    return len(rows) >= COPY_MIN_ROWS and session.get_bind().dialect.name == "postgresql"


def _insert(session: Session, table: FromClause) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)  # type: ignore[arg-type]
    if name == "sqlite":
        return sqlite.insert(table)  # type: ignore[arg-type]
    raise RuntimeError(f"unsupported database dialect {name!r}: use PostgreSQL or SQLite")


def dialect_insert(session: Session, table: FromClause) -> Any:
    """An INSERT of the session's database (PostgreSQL or SQLite), with its ON CONFLICT and RETURNING."""
    return _insert(session, table)


def insert_rows(session: Session, table: FromClause, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys)."""
    if not rows:
        return
    if _by_copy(session, rows):
        pg_copy.copy_insert(session, table, rows)  # type: ignore[arg-type]
        return
    session.execute(insert(table), list(rows))  # type: ignore[arg-type]


def insert_ignore(session: Session, table: FromClause, rows: Sequence[dict[str, Any]], keys: Sequence[str],
                  returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Insert rows whose key is not there yet; leave existing rows untouched. Returns the `returning`
    columns of the rows it inserted (nothing when none are named)."""
    if not rows:
        return []
    if _by_copy(session, rows):
        return pg_copy.copy_upsert(session, table, rows, keys, ignore=True,  # type: ignore[arg-type]
                                   returning=returning)
    stmt = _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
    if not returning:
        session.execute(stmt, list(rows))
        return []
    result = session.execute(stmt.returning(*(table.c[name] for name in returning)), list(rows))
    return [tuple(row) for row in result]


def upsert(session: Session, table: FromClause, rows: Sequence[dict[str, Any]], keys: Sequence[str],
           newer_column: str | None = None) -> None:
    """Insert rows; where the key exists, overwrite it — only if the new row's `newer_column` sorts
    higher, when one is named."""
    if not rows:
        return
    if _by_copy(session, rows):
        pg_copy.copy_upsert(session, table, rows, keys, newer_column)  # type: ignore[arg-type]
        return
    stmt = _insert(session, table)
    columns = [c for c in rows[0] if c not in keys]
    where = stmt.excluded[newer_column] > table.c[newer_column] if newer_column else None
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys),
                                               set_={c: stmt.excluded[c] for c in columns}, where=where),
                    list(rows))


def one_of(session: Session, column: ColumnElement[Any] | QueryableAttribute[Any],
           values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL as `= ANY(array)`: one parameter instead of one per value, so the
    statement text is the same for every batch (psycopg parses it once, the server plans it faster)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))
