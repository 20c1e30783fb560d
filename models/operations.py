"""Storing events and rebuilding the containers they reach. Functions take a Session first, flush, and
never commit: the caller (one ingest batch, one portal request) owns the transaction."""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any
from dataclasses import dataclass, field
from operator import attrgetter
from datetime import datetime

from sqlalchemy import delete, select, text, tuple_
from sqlalchemy.orm import Session

from events import jsontext
from events.codec import ClearanceEvent
from models import figure_days, links, rebuild_locks, step_days
from models.links import chunks
from models.container import Container, ContainerVisit
from models.dialect import insert_rows, one_of, upsert
from models.event import StoredEvent
from models.milestones import VisitMilestones, milestone_row
from models.reach import BatchChange, Reach, ReachCache, merged, new_links, new_token
from models.visits import effective, split_visits, visit_state

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    stored: int  # new events or newer versions written
    unchanged: int  # duplicates, or versions older than what is stored
    changed_containers: dict[str, int]  # container_no -> its new state version
    states: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # their new visit states
    # Containers reached only by events stored before (a replay after a crash, or a duplicate): their
    # state did not change here, but whoever missed the first delivery may need it again.
    touched: frozenset[str] = frozenset()
    waited_seconds: float = 0.0  # spent taking the rebuild locks: waiting for other workers (models.rebuild_locks)
    rebuild_seconds: float = 0.0  # spent rebuilding the containers reached: reading, computing, writing their state


def store_events(session: Session, events: Sequence[ClearanceEvent], cache: ReachCache | None = None) -> StoreResult:
    """Store a batch of valid events idempotently and rebuild every container whose state they change.

    The same event stored twice changes nothing; of two versions of one (source, publisher, event_id) the newer
    `updated_at` wins whatever order they come in. With a `cache` (one per worker), the containers this
    worker rebuilt last are brought up to date from the batch instead of read again (models.reach).
    The result says how long the rebuild took (`rebuild_seconds`) and how long the locks before it
    waited (`waited_seconds`). Raises only database errors.
    """
    newest = _newest_per_key(events)
    stored_versions = _stored_versions(session, list(newest))
    fresh = [e for k, e in newest.items() if k not in stored_versions or stored_versions[k] < e.version]
    stale = [e for k, e in newest.items() if k in stored_versions and stored_versions[k] >= e.version]
    touched = links.containers_reached(session, stale) if stale else set()
    if not fresh:
        return StoreResult(0, len(events), {}, {}, frozenset(touched))
    previous = _previous_rows(session, [e.key for e in fresh if e.key in stored_versions])
    rows = [_row(e) for e in sorted(fresh, key=attrgetter("key"))]
    upsert(session, StoredEvent.__table__, rows, KEY_COLUMNS, "version")
    declarations, calls = links.add(session, fresh, report=rebuild_locks.needed(session))
    waited = rebuild_locks.hold_links(session, fresh + previous, declarations, calls)
    affected = links.containers_reached(session, fresh + previous)
    waited += rebuild_locks.hold_containers(session, affected)
    change = None
    if cache is not None:
        change = BatchChange(fresh, previous, frozenset(links.retracted_among(session, {e.key for e in fresh})))
    states: dict[str, list[dict[str, object]]] = {}
    began = time.perf_counter()
    changed = rebuild_containers(session, affected, states, change=change, cache=cache)
    return StoreResult(len(fresh), len(events) - len(fresh), changed, states, frozenset(touched - set(changed)),
                       waited, time.perf_counter() - began)


def rebuild_containers(session: Session, container_nos: Iterable[str],
                       states_out: dict[str, list[dict[str, object]]] | None = None, *,
                       change: BatchChange | None = None, cache: ReachCache | None = None) -> dict[str, int]:
    """Recompute the visits of these containers from what reaches them; bump the version of each whose
    state changed. On PostgreSQL the caller holds their rows' locks (models.rebuild_locks). Returns {container_no: version} for the changed ones (and their new visit states in
    `states_out` when given). Every container rebuilt gets a new reach token (models.reach)."""
    wanted = sorted(set(container_nos))
    if not wanted:
        return {}
    known = _known(session, wanted)
    use_cache = cache is not None and change is not None
    reaches = _cached_reaches(session, wanted, known, change, cache) if use_cache else {}  # type: ignore[arg-type]
    reaches.update(links.load_reach(session, [c for c in wanted if c not in reaches]))
    token = new_token()
    changed: dict[str, int] = {}
    rows, visit_rows, milestone_rows = [], [], []
    for container_no in wanted:
        reach = reaches[container_no]
        states = [visit_state(container_no, v) for v in split_visits(
            effective(reach.events.values(), reach.retracted))]
        digest = _state_hash(states)
        version, old_digest, _ = known[container_no]
        if old_digest != digest:
            version += 1
            changed[container_no] = version
            visit_rows += [_visit_row(container_no, state) for state in states]
            milestone_rows += [milestone_row(container_no, state) for state in states]
            if states_out is not None:
                states_out[container_no] = states
        rows.append({"container_no": container_no, "version": version, "state_hash": digest, "reach_token": token})
        if cache is not None:
            cache.put(container_no, token, reach)
    _write_containers(session, rows, sorted(changed), visit_rows, milestone_rows)
    return changed


# what the days' marks compare of the milestone rows a rebuild replaces
SIGNATURE_COLUMNS = tuple(dict.fromkeys((*figure_days.SIGNATURE_COLUMNS, *step_days.SIGNATURE_COLUMNS)))
NO_ROW = -1  # the reach token of a container without a row: nothing stored reaches it yet


def _known(session: Session, wanted: list[str]) -> dict[str, tuple[int, str, int | None]]:
    """Each container's stored (version, state_hash, reach_token); (0, "", NO_ROW) when it has no row."""
    known: dict[str, tuple[int, str, int | None]] = {c: (0, "", NO_ROW) for c in wanted}
    for chunk in chunks(wanted):
        known.update((c, (v, h, t)) for c, v, h, t in session.execute(
            select(Container.container_no, Container.version, Container.state_hash, Container.reach_token)
            .where(one_of(session, Container.container_no, chunk))))
    return known


def _cached_reaches(session: Session, wanted: list[str], known: dict[str, tuple[int, str, int | None]],
                    change: BatchChange, cache: ReachCache) -> dict[str, Reach]:
    """The reaches this worker can bring up to date from the batch (and the events of new links)."""
    priors: dict[str, Reach] = {}
    for container_no in wanted:
        token = known[container_no][2]
        prior = Reach() if token == NO_ROW else cache.get(container_no, token)
        if prior is not None:
            priors[container_no] = prior
    linking = {c: new_links(c, prior, change) for c, prior in priors.items()}
    linked = links.linked_events(session, {d for ds, _ in linking.values() for d in ds},
                                 {k for _, ks in linking.values() for k in ks})
    found = {c: merged(c, prior, change, linked, linking[c]) for c, prior in priors.items()}
    return {c: reach for c, reach in found.items() if reach is not None}


def container_visits(session: Session, container_no: str) -> list[dict[str, object]]:
    """The stored visit states of one container, oldest visit first (empty when unknown)."""
    rows = session.scalars(select(ContainerVisit).where(ContainerVisit.container_no == container_no)
                           .order_by(ContainerVisit.started_at, ContainerVisit.visit_key))
    return [row.state for row in rows]


Key = tuple[str, str, str]  # (source, publisher, event_id)
KEY_COLUMNS = ("source", "publisher", "event_id")


def _newest_per_key(events: Sequence[ClearanceEvent]) -> dict[Key, ClearanceEvent]:
    newest: dict[Key, ClearanceEvent] = {}
    for e in events:
        if e.key not in newest or newest[e.key].version < e.version:
            newest[e.key] = e
    return newest


def _stored_versions(session: Session, keys: list[Key]) -> dict[Key, str]:
    """The stored version of each of these keys that is stored. On PostgreSQL one probe of the primary
    key a key, whatever the table's size: one list a column (what SQLite still gets, as `IN`) was
    planned there as a scan of every event of the batch's sources (110–150 ms a batch at a million
    events, and up to 350 ms on an empty database's first plans; BENCHMARKS.md)."""
    found: dict[Key, str] = {}
    postgresql = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(keys):
        if postgresql:
            rows = session.execute(_STORED_VERSIONS_PG, {"sources": [k[0] for k in chunk],
                                                         "publishers": [k[1] for k in chunk],
                                                         "ids": [k[2] for k in chunk]})
        else:
            rows = session.execute(select(StoredEvent.source, StoredEvent.publisher, StoredEvent.event_id,
                                          StoredEvent.version)  # every key column: the primary key serves it
                                   .where(one_of(session, StoredEvent.source, {k[0] for k in chunk}),
                                          one_of(session, StoredEvent.publisher, {k[1] for k in chunk}),
                                          one_of(session, StoredEvent.event_id, {k[2] for k in chunk})))
        found.update({(s, p, i): v for s, p, i, v in rows})
    return {k: found[k] for k in keys if k in found}


_STORED_VERSIONS_PG = text(
    "SELECT e.source, e.publisher, e.event_id, e.version FROM events AS e "
    "JOIN unnest(CAST(:sources AS varchar[]), CAST(:publishers AS varchar[]), CAST(:ids AS varchar[])) "
    "AS k(source, publisher, event_id) "
    "ON e.source = k.source AND e.publisher = k.publisher AND e.event_id = k.event_id")


def _previous_rows(session: Session, keys: list[Key]) -> list[ClearanceEvent]:
    """The versions about to be replaced: the containers they reached must be rebuilt too."""
    rows: list[ClearanceEvent] = []
    for chunk in chunks(keys):
        query = select(StoredEvent).where(
            tuple_(StoredEvent.source, StoredEvent.publisher, StoredEvent.event_id).in_(chunk))
        rows += [links.to_event(r) for r in session.scalars(query)]
    return rows


def _row(event: ClearanceEvent) -> dict[str, object]:
    return {
        "source": event.source, "event_id": event.event_id, "version": event.version,
        "type": event.type, "occurred_at": event.occurred_at, "updated_at": event.updated_at,
        "classifier": event.classifier, "direction": event.direction, "publisher": event.publisher,
        "container_no": event.container_no, "containers": list(event.containers) or None,
        "declaration_no": event.declaration_no, "bl_no": event.bl_no, "vessel_imo": event.vessel_imo,
        "voyage": event.voyage, "terminal": event.terminal, "port": event.port,
        "enterprise_uscc": event.enterprise_uscc, "declarant_uscc": event.declarant_uscc,
        "customs_code": event.customs_code, "retracts": event.retracts, "detail": event.detail,
        "warnings": list(event.warnings) or None,
    }


def _write_containers(session: Session, rows: list[dict[str, object]], changed: list[str],
                      visit_rows: list[dict[str, object]], milestone_rows: list[dict[str, object]]) -> None:
    """Write every rebuilt container's version, hash and token, and the changed ones' visits and their
    milestones, in a few bulk statements."""
    upsert(session, Container.__table__, rows, ("container_no",))
    old_milestones: list[Any] = []
    returned = [VisitMilestones.__table__.c[name] for name in SIGNATURE_COLUMNS]
    for chunk in chunks(changed):
        old_milestones += session.execute(delete(VisitMilestones).where(
            one_of(session, VisitMilestones.container_no, chunk)).returning(*returned)).mappings().all()
        session.execute(delete(ContainerVisit).where(one_of(session, ContainerVisit.container_no, chunk)))
    insert_rows(session, ContainerVisit.__table__, visit_rows)
    insert_rows(session, VisitMilestones.__table__, milestone_rows)
    figure_days.mark_dirty(session, figure_days.touched_days(old_milestones, milestone_rows)
                           | step_days.touched_days(old_milestones, milestone_rows))


def _visit_row(container_no: str, state: dict[str, Any]) -> dict[str, object]:
    timeline = state["timeline"]
    return {
        "container_no": container_no, "visit_key": state["visit"], "direction": state["direction"],
        "vessel_imo": state["vessel_imo"], "voyage": state["voyage"], "terminal": state["terminal"],
        "enterprise_uscc": state["enterprise_uscc"], "declarant_uscc": state["declarant_uscc"],
        "current_type": (state["current"] or {}).get("type"),
        "started_at": _parse(timeline[0]["occurred_at"]), "last_event_at": _parse(timeline[-1]["occurred_at"]),
        "state": state,
    }


def _parse(text_value: str) -> datetime:
    return datetime.fromisoformat(text_value.replace("Z", "+00:00"))


def _state_hash(states: list[dict[str, object]]) -> str:
    return hashlib.sha1(jsontext.dumps_sorted(states)).hexdigest()

