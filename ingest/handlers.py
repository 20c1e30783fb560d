"""What one batch does to the database: plain functions of (session, events), testable without Kafka,
and the isolation of an event the database refuses, so that it cannot take its batch down with it."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import DataError as SQLDataError
from sqlalchemy.exc import IntegrityError as SQLIntegrityError
from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from ingest.outage import first_line
from models.operations import StoreResult, store_events
from models.reach import ReachCache

# The database says this data can never be stored: a value it cannot hold (NUL in PostgreSQL text, a
# number out of range) or a constraint it violates. COPY raises psycopg's own errors, unwrapped.
# Not among them: OperationalError, InterfaceError (connection lost, server down, deadlock, serialisation
# failure), ProgrammingError (a schema out of date), which retrying or an operator mends.
DATA_ERRORS = (SQLDataError, SQLIntegrityError, psycopg.DataError, psycopg.IntegrityError,
               sqlite3.DataError, sqlite3.IntegrityError)


def store_batch(session: Session, events: Sequence[ClearanceEvent], cache: ReachCache | None = None) -> StoreResult:
    """Store the batch's valid events and rebuild the containers they reach; the caller commits."""
    return store_events(session, events, cache)


def is_data_error(exc: BaseException) -> bool:
    """Whether `exc` says the data can never be stored (as opposed to: not now, or a bug)."""
    return isinstance(exc, DATA_ERRORS)


def refusal_reason(exc: BaseException) -> str:
    """The dead-letter reason for an event the database refused: the driver's own first line."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return f"the database refused the event ({type(cause).__name__}): {first_line(cause)}"


@dataclass(frozen=True)
class Isolated:
    """What `store_isolating` did: the merged result of every transaction that committed, and each
    event the database refused on its own, as (index in the batch, reason)."""

    result: StoreResult
    refused: list[tuple[int, str]]


def store_isolating(store: Callable[[list[ClearanceEvent]], StoreResult],
                    events: Sequence[ClearanceEvent]) -> Isolated:
    """Store `events` with `store` (one committed transaction per call). When a call fails with a data
    error, store each half of its events in a call of its own, and so on down to the single event the
    database refuses: that one is refused, every other event is stored. k bad events among n cost about
    2·k·log2(n) calls. Any other error propagates (the caller retries or stops, nothing is refused).
    Storing is idempotent and order-free, so storing a batch in parts ends in the same state."""
    results: list[StoreResult] = []
    refused: list[tuple[int, str]] = []
    groups = [list(range(len(events)))]
    while groups:
        group = groups.pop()
        try:
            results.append(store([events[i] for i in group]))
        except Exception as exc:
            if not is_data_error(exc):
                raise
            if len(group) == 1:  # dead-lettered by the caller, which logs it
                refused.append((group[0], refusal_reason(exc)))
            else:
                groups += [group[len(group) // 2:], group[:len(group) // 2]]  # the first half next
    return Isolated(merged_results(results), sorted(refused))


def merged_results(results: Sequence[StoreResult]) -> StoreResult:
    """One result for several transactions committed one after the other: a container's version and
    state are those of the last transaction that changed it."""
    if len(results) == 1:
        return results[0]
    changed: dict[str, int] = {}
    states: dict[str, list[dict[str, object]]] = {}
    touched: set[str] = set()
    for result in results:
        changed.update(result.changed_containers)
        states.update(result.states)
        touched |= result.touched
    return StoreResult(sum(r.stored for r in results), sum(r.unchanged for r in results), changed, states,
                       frozenset(touched - set(changed)), sum(r.waited_seconds for r in results),
                       sum(r.rebuild_seconds for r in results))
