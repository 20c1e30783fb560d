"""Bulk writes on PostgreSQL through COPY: rows stream into a temporary table in one round trip and one
INSERT ... SELECT moves them, with the same ON CONFLICT rule the executemany path uses. Values go through
the columns' own SQLAlchemy bind processors, so what is stored is byte for byte what an INSERT stores.
Measured: batches of 2,000 events store ~20 % faster (BENCHMARKS.md); below models.dialect.COPY_MIN_ROWS
rows executemany is faster (COPY costs about four round trips whatever the row count)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Table
from sqlalchemy.orm import Session


def _driver(session: Session) -> Any:
    """The psycopg connection of the session's transaction (begun if it was not)."""
    return session.connection().connection.driver_connection


def _processors(session: Session, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    dialect = session.get_bind().dialect
    return [table.c[name].type._cached_bind_processor(dialect) for name in columns]  # noqa: SLF001


def _copy(session: Session, cursor: Any, target: str, table: Table, rows: Sequence[dict[str, Any]]) -> list[str]:
    columns = list(rows[0])
    processors = _processors(session, table, columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, processors)])
    return columns


def copy_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys)."""
    with _driver(session).cursor() as cursor:
        _copy(session, cursor, table.name, table, rows)


def copy_upsert(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
                newer_column: str | None = None, ignore: bool = False,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Insert rows with unique keys; where a key exists, leave it (`ignore`) or overwrite it, only if
    the new row's `newer_column` sorts higher when one is named. Returns the `returning` columns of the
    rows inserted or overwritten."""
    staging = f"copy_{table.name}"
    with _driver(session).cursor() as cursor:
        cursor.execute(sql.SQL(  # one round trip; emptied at commit, and here in case of a second use
            "CREATE TEMPORARY TABLE IF NOT EXISTS {0} (LIKE {1}) ON COMMIT DELETE ROWS; TRUNCATE {0}").format(
            sql.Identifier(staging), sql.Identifier(table.name)))
        columns = _copy(session, cursor, staging, table, rows)
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        action: sql.Composable
        if ignore:
            action = sql.SQL("NOTHING")
        else:
            updates = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
                                         for c in columns if c not in keys)
            action = sql.SQL("UPDATE SET {}").format(updates)
            if newer_column:
                action += sql.SQL(" WHERE {}.{} < EXCLUDED.{}").format(
                    sql.Identifier(table.name), sql.Identifier(newer_column), sql.Identifier(newer_column))
        statement = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO {}").format(
            sql.Identifier(table.name), names, names, sql.Identifier(staging),
            sql.SQL(", ").join(map(sql.Identifier, keys)), action)
        if returning:
            statement += sql.SQL(" RETURNING {}").format(sql.SQL(", ").join(map(sql.Identifier, returning)))
        cursor.execute(statement)
        return [tuple(row) for row in cursor.fetchall()] if returning else []
