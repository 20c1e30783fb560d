"""From the set of events that reach a container to its visits, current stage, holds and flags.

Pure functions of a set: the result does not depend on the order the events arrived in (DOMAIN.md §3).
Every sort below ends on (source, publisher, event_id), an event's identity, so that ties are broken the same way everywhere.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.codec import ClearanceEvent
from events.vocabulary import EVENT_TYPES, EXPECTED_PATH, PRECEDENCE, Direction, Scope
from models.parties import split_foreign

VisitKey = tuple[str, str | None, str | None]  # (direction, vessel_imo, voyage)


@dataclass(frozen=True)
class Visit:
    key: VisitKey
    events: tuple[ClearanceEvent, ...]  # effective events in timeline order

    @property
    def text_key(self) -> str:
        direction, imo, voyage = self.key
        return f"{direction}/{imo or '-'}/{voyage or '-'}"


def timeline_order(event: ClearanceEvent) -> tuple[datetime, int, str, str, str]:
    return (event.occurred_at, EVENT_TYPES[event.type].rank, event.source, event.publisher, event.event_id)


def effective(events: Iterable[ClearanceEvent], retracted: set[tuple[str, str, str]]) -> list[ClearanceEvent]:
    """The events that belong on a timeline: not withdrawn, and not themselves retraction notices."""
    return [e for e in events if e.retracts is None and e.key not in retracted]


def split_visits(events: Iterable[ClearanceEvent]) -> list[Visit]:
    """Group a container's effective events into visits keyed by (direction, vessel, voyage).

    Vessel events join every visit on their vessel call. An event without a voyage joins the visit of its
    direction that had begun by then (the latest-starting one), else the earliest one of its direction,
    else a visit without a voyage.
    """
    ordered = sorted(events, key=timeline_order)
    vessel = [e for e in ordered if e.scope is Scope.VESSEL]
    own = [e for e in ordered if e.scope is not Scope.VESSEL]
    starts: dict[VisitKey, datetime] = {}
    for e in own:
        if e.voyage is not None:
            starts.setdefault((e.direction, e.vessel_imo, e.voyage), e.occurred_at)
    members: dict[VisitKey, list[ClearanceEvent]] = {k: [] for k in starts}
    for e in own:
        key = (e.direction, e.vessel_imo, e.voyage) if e.voyage is not None else _visit_for(e, starts)
        members.setdefault(key, []).append(e)
    for e in vessel:
        for key in members:
            if key[1:] == (e.vessel_imo, e.voyage):
                members[key].append(e)
    visits = [Visit(k, tuple(sorted(v, key=timeline_order))) for k, v in members.items() if v]
    return sorted(visits, key=lambda v: (timeline_order(v.events[0]), v.text_key))


def _visit_for(event: ClearanceEvent, starts: dict[VisitKey, datetime]) -> VisitKey:
    same = sorted(((start, key) for key, start in starts.items() if key[0] == event.direction),
                  key=lambda pair: (pair[0], str(pair[1])))
    if not same:
        return (event.direction, None, None)
    begun = [key for start, key in same if start <= event.occurred_at]
    return begun[-1] if begun else same[0][1]


def visit_state(container_no: str, visit: Visit) -> dict[str, Any]:
    """The JSON-ready state of one visit: what `clearance show` prints and the portal serves."""
    parties, counted, foreign = split_foreign(visit.events)
    events = tuple(counted)
    actual = [e for e in events if e.classifier == "ACTUAL"]
    current = actual[-1] if actual else None
    first_of = _first_occurrences(actual)
    return {
        "container_no": container_no,
        "visit": visit.text_key,
        "direction": visit.key[0],
        "vessel_imo": visit.key[1],
        "voyage": visit.key[2],
        "terminal": parties.terminal,
        "enterprise_uscc": parties.enterprise_uscc,
        "declarant_uscc": parties.declarant_uscc,
        "declaration_nos": sorted({e.declaration_no for e in events if e.declaration_no}),
        "bl_no": _last_known(events, "bl_no"),
        "current": _entry(current) if current else None,
        "holds": _active_holds(actual),
        "flags": _precedence_flags(visit.key[0], first_of) + _warning_flags(events) + _foreign_flags(foreign),
        "pending": [t for t in EXPECTED_PATH[Direction(visit.key[0])] if t not in first_of],
        "timeline": [_entry(e) for e in events],
    }


def _entry(event: ClearanceEvent) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "event_id": event.event_id,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "source": event.source,
        "publisher": event.publisher,
        "classifier": event.classifier,
    }
    if event.customs_code:
        entry["customs_code"] = event.customs_code
    if event.detail:
        entry["detail"] = event.detail
    return entry


def _last_known(events: tuple[ClearanceEvent, ...], field: str) -> str | None:
    values = [getattr(e, field) for e in events if getattr(e, field)]
    return values[-1] if values else None


def _first_occurrences(actual: list[ClearanceEvent]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for e in actual:
        first.setdefault(e.type, e.occurred_at)
    return first


def _active_holds(actual: list[ClearanceEvent]) -> list[dict[str, Any]]:
    """A hold is active while the last hold event for its code (customs_code, or none) placed it."""
    last: dict[str, ClearanceEvent] = {}
    for e in actual:
        if e.type in ("HOLD_PLACED", "HOLD_RELEASED"):
            last[e.customs_code or ""] = e
    return [_entry(e) for code, e in sorted(last.items()) if e.type == "HOLD_PLACED"]


def _precedence_flags(direction: str, first_of: dict[str, datetime]) -> list[dict[str, str]]:
    flags = []
    for rule_direction, earlier, later in PRECEDENCE:
        if rule_direction not in (None, Direction(direction)):
            continue
        if earlier in first_of and later in first_of and first_of[later] < first_of[earlier]:
            flags.append({"code": "PRECEDENCE",
                          "message": f"{later} at {first_of[later].isoformat()} precedes "
                                     f"{earlier} at {first_of[earlier].isoformat()}"})
    return flags


def _foreign_flags(foreign: list[ClearanceEvent]) -> list[dict[str, str]]:
    return [{"code": "NOT_A_PARTY", "message": f"{e.source}/{e.publisher}/{e.event_id} ({e.type}) left out: "
                                               f"{e.publisher} is not a party to this visit"} for e in foreign]


def _warning_flags(events: tuple[ClearanceEvent, ...]) -> list[dict[str, str]]:
    return [{"code": "WARNING", "message": f"{e.source}/{e.event_id}: {w}"}
            for e in events for w in e.warnings]
