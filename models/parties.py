"""Whose a visit (or a declaration) is, by authority — the one rule the visit derivation and the portal's
publish check (models/write_check.py) both apply, so that a party that does not hold a visit cannot
change who sees it.

Official sources (`vocabulary.AUTHORITIES`: customs, maritime authority, carriers, tally) name parties
with the last word. Terminals and enterprises are *claimants*: their events count on a visit only when
the visit is theirs. For each party of a visit, who may name it, strongest tier first (PARTY_TIERS):

| party | named by |
|---|---|
| terminal | the official events (the last one naming a terminal), else the terminal that published the visit's first terminal event |
| enterprise and declarant USCC (together) | the official events, else the events of the visit's terminal, else the first filing (the first ENTERPRISE event) |

A TERMINAL event counts when its publisher is the visit's terminal; an ENTERPRISE event when its
publisher is one of the visit's USCCs. The others are *foreign*: left off the timeline and out of the
parties, and flagged (NOT_A_PARTY) on the visit. Everything here is a function of the set of events
(taken in timeline order), so arrival order changes nothing. "First" is by timeline order: a claimant
that backdates an event could only win a visit that nobody stored yet — the publish check refuses
any event that would change what another party sees of what is stored.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from events.codec import ClearanceEvent
from events.vocabulary import AUTHORITIES, Source

_AUTHORITY_SOURCES = frozenset(s.value for s in AUTHORITIES)


class Tier(str, enum.Enum):
    OFFICIAL = "official events"
    VISIT_TERMINAL = "events of the visit's terminal"
    FIRST_TERMINAL = "the first terminal event's publisher"
    FIRST_FILING = "the first ENTERPRISE event"


PARTY_TIERS: dict[str, tuple[Tier, ...]] = {
    "terminal": (Tier.OFFICIAL, Tier.FIRST_TERMINAL),
    "uscc": (Tier.OFFICIAL, Tier.VISIT_TERMINAL, Tier.FIRST_FILING),
}


@dataclass(frozen=True)
class Parties:
    terminal: str | None = None
    enterprise_uscc: str | None = None
    declarant_uscc: str | None = None

    def counts(self, event: ClearanceEvent) -> bool:
        """Whether the event belongs on a visit (or declaration) with these parties."""
        if event.source == Source.TERMINAL.value:
            return event.publisher == self.terminal
        if event.source == Source.ENTERPRISE.value:
            return event.publisher in (self.enterprise_uscc, self.declarant_uscc) and event.publisher is not None
        return True

    @property
    def usccs(self) -> frozenset[str]:
        return frozenset(u for u in (self.enterprise_uscc, self.declarant_uscc) if u)


def is_official(event: ClearanceEvent) -> bool:
    return event.source in _AUTHORITY_SOURCES


def parties_of(events: Sequence[ClearanceEvent]) -> Parties:
    """The parties of a visit or declaration, from its effective events in timeline order."""
    terminal = _terminal(events)
    usccs = _usccs(events, terminal)
    return Parties(terminal, *usccs)


def split_foreign(events: Sequence[ClearanceEvent]) -> tuple[Parties, list[ClearanceEvent], list[ClearanceEvent]]:
    """(parties, the events that count, the foreign ones), both lists in the order given."""
    parties = parties_of(events)
    counted = [e for e in events if parties.counts(e)]
    return parties, counted, [e for e in events if not parties.counts(e)]


def _terminal(events: Sequence[ClearanceEvent]) -> str | None:
    for tier in PARTY_TIERS["terminal"]:
        if tier is Tier.OFFICIAL:
            named = [e.terminal for e in events if is_official(e) and e.terminal]
            if named:
                return named[-1]
        elif tier is Tier.FIRST_TERMINAL:
            first = next((e for e in events if e.source == Source.TERMINAL.value), None)
            if first is not None:
                return first.publisher
    return None


def _usccs(events: Sequence[ClearanceEvent], terminal: str | None) -> tuple[str | None, str | None]:
    for tier in PARTY_TIERS["uscc"]:
        if tier is Tier.OFFICIAL:
            naming = [e for e in events if is_official(e)]
        elif tier is Tier.VISIT_TERMINAL:
            naming = [e for e in events if e.source == Source.TERMINAL.value and e.publisher == terminal]
        else:
            naming = [e for e in events if e.source == Source.ENTERPRISE.value][:1]
        enterprise, declarant = _last(naming, "enterprise_uscc"), _last(naming, "declarant_uscc")
        if enterprise or declarant:
            return enterprise, declarant
    return None, None


def _last(events: Sequence[ClearanceEvent], field: str) -> str | None:
    values = [getattr(e, field) for e in events if getattr(e, field)]
    return values[-1] if values else None
