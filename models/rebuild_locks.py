"""Which rebuilds must wait for which, on PostgreSQL, without one lock shared by every worker.

A container's state is a function of the stored events that reach it (models.links). Two workers may
store events that reach one container at the same time: a container's own events (a correction keyed to
another partition), a declaration-level or vessel event against a container event of that declaration
or call. Under READ COMMITTED neither sees what the other has not committed, so whoever rebuilds second
must wait until the first has committed, and read after. Every store therefore locks, after writing its
events and links and before reading anything a rebuild depends on:

1. the declarations and vessel calls of its declaration-level and vessel events, and of the links it
   added (`hold_links`: transaction-level advisory locks). A worker that links container C to
   declaration D for the first time and one that stores an event of D both lock D: the second one
   either finds the new link (and rebuilds C) or finds the event (while rebuilding C). Adding a link
   takes the lock shared, storing an event of D or of a vessel call exclusive: the first events of a
   busy ship's containers, on every partition, link them to its call without waiting for each other;
2. the rows of every container it rebuilds (`hold_containers`), taken before its stored version and
   reach token are read (models.operations). Of two rebuilds of one container the second reads
   everything the first stored. The last writer of a container is the last holder of its lock, so a
   worker whose partitions moved to another during a rebalance cannot overwrite a newer state with an
   older one: whatever it writes, it wrote having read all that was committed before it.

A container event whose links exist already locks no declaration or call. Each group is locked in one
statement in sorted order, links before containers, and nothing but the days' marks (models.figure_days,
in order too) is locked after: no two stores wait for each other in a circle. (Two stores of
the same event, or of links of the same pair, sent on two partitions, can still meet in opposite orders:
PostgreSQL detects it, one transaction fails with a deadlock error and the worker stores its batch again,
as for any database error.) Containers are locked by their rows, whose locks are written in the rows
themselves, so a batch reaching 10,000 containers needs no room in the server's lock table; the
advisory locks take one entry per declaration or call, a few hundred a batch at most (at most
CLEARANCE_BATCH_SIZE; PostgreSQL has room for max_locks_per_transaction × max_connections, 6,400 by
default, shared by all sessions).

SQLite has one writer at a time (BEGIN IMMEDIATE, models.db): nothing to lock there.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from events.vocabulary import Scope

Call = tuple[str, str]  # (vessel_imo, voyage)

# one advisory key space per kind (PostgreSQL keeps two-int keys apart from one-bigint keys); a hash
# collision between two declarations only makes their stores wait for each other
DECLARATION, CALL = 1, 2
_LOCK_LINKS = text(
    "SELECT CASE WHEN x THEN pg_advisory_xact_lock(c, k) ELSE pg_advisory_xact_lock_shared(c, k) END "
    "FROM unnest(CAST(:kinds AS int[]), CAST(:keys AS int[]), CAST(:exclusive AS boolean[])) AS u(c, k, x)")
# A container without a row gets one that reads as no row at all (models.operations.NO_ROW); the
# rebuild that follows in the same transaction writes its real version, hash and token.
_LOCK_CONTAINERS = text(
    "INSERT INTO containers (container_no, version, state_hash, reach_token) "
    "SELECT c, 0, '', -1 FROM unnest(CAST(:nos AS varchar[])) AS c "
    "ON CONFLICT (container_no) DO UPDATE SET version = containers.version WHERE false")


def needed(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _hashed(kind: int, name: str) -> tuple[int, int]:
    return kind, int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big", signed=True)


def link_locks(events: Iterable[ClearanceEvent], declarations: Iterable[str],
               calls: Iterable[Call]) -> list[tuple[int, int, bool]]:
    """The (kind, key, exclusive) advisory locks a store takes, in order: exclusive for its
    declaration-level and vessel events, shared for the declarations and calls it added links to."""
    locks = {_hashed(DECLARATION, d): False for d in declarations}
    locks.update({_hashed(CALL, f"{imo}/{voyage}"): False for imo, voyage in calls})
    for e in events:
        if e.container_no is None and e.declaration_no is not None:
            locks[_hashed(DECLARATION, e.declaration_no)] = True
        if e.scope is Scope.VESSEL and e.vessel_imo and e.voyage:
            locks[_hashed(CALL, f"{e.vessel_imo}/{e.voyage}")] = True
    return [(kind, key, exclusive) for (kind, key), exclusive in sorted(locks.items())]


def hold_links(session: Session, events: Iterable[ClearanceEvent], declarations: Iterable[str],
               calls: Iterable[Call]) -> float:
    """Lock the declarations and calls of these events and new links until the transaction ends;
    returns the seconds it took (waiting for other stores of the same declarations and calls, mostly)."""
    if not needed(session):
        return 0.0
    locks = link_locks(events, declarations, calls)
    if not locks:
        return 0.0
    kinds, keys, exclusive = (list(column) for column in zip(*locks))
    return _timed(session, _LOCK_LINKS, {"kinds": kinds, "keys": keys, "exclusive": exclusive})


def hold_containers(session: Session, container_nos: Iterable[str]) -> float:
    """Lock the rows of these containers (made when missing) until the transaction ends; returns the
    seconds it took (waiting for other rebuilds of the same containers, mostly)."""
    if not needed(session):
        return 0.0
    nos = sorted(set(container_nos))
    return _timed(session, _LOCK_CONTAINERS, {"nos": nos}) if nos else 0.0


def _timed(session: Session, statement: object, params: dict[str, list[Any]]) -> float:
    began = time.perf_counter()
    session.execute(statement, params)  # type: ignore[call-overload]
    return time.perf_counter() - began
