"""Whether an event a claimant (a terminal or an enterprise) publishes through the portal would change
what another party sees of what is stored. The portal asks before it puts the event on Kafka; the answer
comes from the same derivation ingest applies (models/visits.py with models/parties.py), run on the
stored events with and without the new one:

- the event must count on every visit (and declaration) it lands in — not be foreign there;
- every other party must see exactly the events it saw before, give or take the new event itself and
  the caller's own event it corrects or retracts.
A terminal may so claim a visit nobody holds as terminal yet (the box arrives at its gate), or start a
new one; an enterprise may file on its own declarations and start new ones. The port office is not
asked: it may publish anything.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from events.vocabulary import Scope
from models import links
from models.declarations import declaration_events
from models.parties import Parties, parties_of, split_foreign
from models.reach import Reach
from models.visits import effective, split_visits, timeline_order

Party = tuple[str, str]  # ("terminal", code) or ("uscc", USCC)
Key = tuple[str, str, str]  # an event's identity


def write_refusals(session: Session, caller: Party, event: ClearanceEvent) -> list[str]:
    """Why `caller` may not publish `event` given what is stored (empty: it may)."""
    reasons = []
    reaches = links.load_reach(session, sorted(_reached(session, event)))  # in a few queries, not one each
    for container_no, reach in sorted(reaches.items()):
        reasons += _container_refusals(container_no, reach, caller, event)
    if event.declaration_no and event.scope is not Scope.CONTAINER:
        reasons += _declaration_refusals(session, caller, event)
    return reasons


def _reached(session: Session, event: ClearanceEvent) -> set[str]:
    own = {event.container_no} if event.container_no else set()
    return own | set(event.containers) | links.containers_reached(session, [event])


def _container_refusals(container_no: str, reach: Reach, caller: Party, event: ClearanceEvent) -> list[str]:
    before = _visits(reach.events.values(), reach.retracted)
    events = {**reach.events, event.key: event}
    retracted = set(reach.retracted) | ({event.retracted_key} if event.retracted_key in events else set())
    after = _visits(events.values(), retracted)  # type: ignore[arg-type]
    reasons = [f"container {container_no}: visit {v.key} is not yours to add to"
               for v in after if event.key in v.foreign]
    allowed = {event.key, event.retracted_key}
    others = sorted(p for p in {*_parties(before), *_parties(after)} if p != caller)
    if any((_seen(before, p) ^ _seen(after, p)) - allowed for p in others):
        reasons.append(f"container {container_no}: the event would change what another party sees")
    return reasons


@dataclass(frozen=True)
class VisitView:
    key: str
    parties: frozenset[Party]
    counted: frozenset[Key]
    foreign: frozenset[Key]


def _visits(events: Iterable[ClearanceEvent], retracted: set[Key]) -> list[VisitView]:
    views = []
    for visit in split_visits(effective(events, retracted)):
        parties, counted, foreign = split_foreign(visit.events)
        views.append(VisitView(visit.text_key, _party_keys(parties), frozenset(e.key for e in counted),
                               frozenset(e.key for e in foreign)))
    return views


def _parties(views: list[VisitView]) -> set[Party]:
    return {p for v in views for p in v.parties}


def _party_keys(parties: Parties) -> frozenset[Party]:
    keys = {("uscc", u) for u in parties.usccs}
    return frozenset(keys | ({("terminal", parties.terminal)} if parties.terminal else set()))


def _seen(views: list[VisitView], party: Party) -> set[Key]:
    return {k for v in views if party in v.parties for k in v.counted}


def _declaration_refusals(session: Session, caller: Party, event: ClearanceEvent) -> list[str]:
    stored = [e for e in declaration_events(session, event.declaration_no or "") if e.key != event.key]
    before = parties_of(stored)
    after = parties_of(sorted([*stored, event], key=timeline_order))
    mine = not before.usccs or caller in _party_keys(before)
    if mine and after.counts(event) and before.usccs <= after.usccs:
        return []
    return [f"declaration {event.declaration_no} is not yours to add to"]
