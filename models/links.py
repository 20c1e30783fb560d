"""Which containers an event reaches, and which events reach a container.

A container event reaches its own container. A declaration-level event (no container_no) reaches the
containers of its declaration, a vessel event every container seen on its vessel call, and a retraction
whatever the event it withdraws reached.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from events.vocabulary import EVENT_TYPES, Scope
from models.dialect import insert_ignore, one_of
from models.event import DeclarationContainer, StoredEvent, VoyageContainer
from models.reach import Linked, Reach

EVENTS = StoredEvent.__table__
VESSEL_TYPES = sorted(n for n, t in EVENT_TYPES.items() if t.scope is Scope.VESSEL)
CHUNK = 2000


def add(session: Session, events: Iterable[ClearanceEvent],
        report: bool = False) -> tuple[set[str], set[tuple[str, str]]]:
    """Record the declaration and voyage links the events carry (links are only ever added). With
    `report`, returns the declarations and vessel calls of the links that were not there before."""
    declared, voyages = set(), set()
    for e in events:
        covered = ((e.container_no,) if e.container_no else ()) + e.containers
        for container_no in covered:
            if e.declaration_no:
                declared.add((e.declaration_no, container_no))
            if e.vessel_imo and e.voyage and e.scope is not Scope.VESSEL:
                voyages.add((e.vessel_imo, e.voyage, container_no))
    new_declared = insert_ignore(session, DeclarationContainer.__table__,
                                 [{"declaration_no": d, "container_no": c} for d, c in sorted(declared)],
                                 ("declaration_no", "container_no"), ("declaration_no",) if report else ())
    new_voyages = insert_ignore(session, VoyageContainer.__table__,
                                [{"vessel_imo": i, "voyage": v, "container_no": c} for i, v, c in sorted(voyages)],
                                ("vessel_imo", "voyage", "container_no"), ("vessel_imo", "voyage") if report else ())
    return {d for d, in new_declared}, {(i, v) for i, v in new_voyages}


def containers_reached(session: Session, events: Sequence[ClearanceEvent]) -> set[str]:
    """Every container whose timeline any of these events (or the events they retract) belongs on."""
    withdrawn = [e.retracted_key for e in events if e.retracted_key is not None]
    targets = list(events) + _stored(session, withdrawn)
    reached = {c for e in targets for c in (((e.container_no,) if e.container_no else ()) + e.containers)}
    declarations = {e.declaration_no for e in targets if e.declaration_no and not e.container_no}
    calls = {(e.vessel_imo, e.voyage) for e in targets if e.scope is Scope.VESSEL}
    for chunk in chunks(sorted(declarations)):
        reached.update(session.scalars(select(DeclarationContainer.container_no)
                                       .where(one_of(session, DeclarationContainer.declaration_no, chunk))))
    for chunk in chunks(sorted(calls)):
        reached.update(session.scalars(select(VoyageContainer.container_no).where(
            tuple_(VoyageContainer.vessel_imo, VoyageContainer.voyage).in_(chunk))))
    return reached


def load_reach(session: Session, container_nos: Sequence[str]) -> dict[str, Reach]:
    """For each container, what reaches it, read from the database (see models.reach)."""
    reach: dict[str, Reach] = {c: Reach() for c in container_nos}
    for chunk in chunks(list(container_nos)):
        for row in session.execute(select(EVENTS).where(one_of(session, EVENTS.c.container_no, chunk))):
            event = to_event(row)
            reach[row.container_no].events[event.key] = event
        _add_linked(session, reach, chunk)
    keys = {k for r in reach.values() for k in r.events}
    withdrawn = retracted_among(session, keys)
    for r in reach.values():
        r.retracted = withdrawn & r.events.keys()
    return reach


def _add_linked(session: Session, reach: dict[str, Reach], chunk: list[str]) -> None:
    for d, c in session.execute(select(DeclarationContainer.declaration_no, DeclarationContainer.container_no)
                                .where(one_of(session, DeclarationContainer.container_no, chunk))):
        reach[c].declarations.add(d)
    for i, v, c in session.execute(select(VoyageContainer.vessel_imo, VoyageContainer.voyage,
                                          VoyageContainer.container_no)
                                   .where(one_of(session, VoyageContainer.container_no, chunk))):
        reach[c].calls.add((i, v))
    found = linked_events(session, {d for c in chunk for d in reach[c].declarations},
                          {k for c in chunk for k in reach[c].calls}, withdrawn=False)
    for c in chunk:
        r = reach[c]
        for event in [*(e for d in r.declarations for e in found.by_declaration.get(d, ())),
                      *(e for k in r.calls for e in found.by_call.get(k, ()))]:
            r.events[event.key] = event


def linked_events(session: Session, declarations: set[str], calls: set[tuple[str, str]],
                  withdrawn: bool = True) -> Linked:
    """The declaration-level events of these declarations and the vessel events of these calls (and,
    when asked, which of them a stored notice withdraws)."""
    by_declaration: dict[str, list[ClearanceEvent]] = defaultdict(list)
    by_call: dict[tuple[str, str], list[ClearanceEvent]] = defaultdict(list)
    for part in chunks(sorted(declarations)):
        for row in session.execute(select(EVENTS).where(
                one_of(session, EVENTS.c.declaration_no, part), EVENTS.c.container_no.is_(None))):
            by_declaration[row.declaration_no].append(to_event(row))
    for part in chunks(sorted(calls)):
        for row in session.execute(select(EVENTS).where(
                tuple_(EVENTS.c.vessel_imo, EVENTS.c.voyage).in_(part), EVENTS.c.type.in_(VESSEL_TYPES))):
            by_call[(row.vessel_imo, row.voyage)].append(to_event(row))
    keys = {e.key for events in (*by_declaration.values(), *by_call.values()) for e in events}
    found = retracted_among(session, keys) if withdrawn and keys else set()
    return Linked(dict(by_declaration), dict(by_call), frozenset(found))


def retracted_among(session: Session, keys: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Those of these (source, publisher, event_id) keys that some stored notice of the same source and
    publisher retracts."""
    found: set[tuple[str, str, str]] = set()
    for chunk in chunks(sorted({event_id for _, _, event_id in keys})):
        rows = session.execute(select(StoredEvent.source, StoredEvent.publisher, StoredEvent.retracts)
                               .where(one_of(session, StoredEvent.retracts, chunk)))
        found.update((s, p, r) for s, p, r in rows if r is not None and (s, p, r) in keys)
    return found


def _stored(session: Session, keys: list[tuple[str, str, str]]) -> list[ClearanceEvent]:
    found: list[ClearanceEvent] = []
    for chunk in chunks(sorted(set(keys))):
        query = select(EVENTS).where(tuple_(EVENTS.c.source, EVENTS.c.publisher, EVENTS.c.event_id).in_(chunk))
        found += [to_event(r) for r in session.execute(query)]
    return found


def to_event(row: Any) -> ClearanceEvent:
    """A stored row (a StoredEvent, or a row of the events table) as the event it was decoded from."""
    return ClearanceEvent(
        source=row.source, event_id=row.event_id, publisher=row.publisher, type=row.type,
        occurred_at=row.occurred_at, direction=row.direction, classifier=row.classifier,
        updated_at=row.updated_at, container_no=row.container_no, containers=tuple(row.containers or ()),
        declaration_no=row.declaration_no, bl_no=row.bl_no, vessel_imo=row.vessel_imo, voyage=row.voyage,
        terminal=row.terminal, port=row.port, enterprise_uscc=row.enterprise_uscc,
        declarant_uscc=row.declarant_uscc, customs_code=row.customs_code, retracts=row.retracts,
        detail=row.detail, warnings=tuple(row.warnings or ()))


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:  # type: ignore[type-arg]
    for start in range(0, len(items), size):
        yield items[start:start + size]
