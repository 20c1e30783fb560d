"""Who may see and publish what: the one place for the visibility rule (HTTP and Socket.IO both use it).

- an enterprise (exporter, importer, customs broker) sees the visits whose enterprise_uscc or
  declarant_uscc is its USCC, and publishes ENTERPRISE events naming its USCC;
- a terminal operator sees the visits at its terminal, and publishes TERMINAL events it is the
  publisher of (and, when they name a terminal, about its terminal);
- the port office sees everything and may publish anything.
Anything else sees nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from events.codec import ClearanceEvent
from events.vocabulary import Source
from models.container import ContainerVisit
from models.milestones import VisitMilestones
from models.parties import parties_of
from models.user import Role, User


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the rules below need it."""

    user_id: int
    name: str
    role: str
    uscc: str | None
    terminal: str | None


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, name=user.name, role=user.role, uscc=user.uscc, terminal=user.terminal)


def visit_visible(principal: Principal, visit_state: Mapping[str, Any]) -> bool:
    """May the principal see this visit (a `models.visits.visit_state` dict)?"""
    if principal.role == Role.PORT_OFFICE.value:
        return True
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return principal.uscc in (visit_state.get("enterprise_uscc"), visit_state.get("declarant_uscc"))
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return visit_state.get("terminal") == principal.terminal
    return False


def visible_visits(principal: Principal, table: type[ContainerVisit] | type[VisitMilestones] = ContainerVisit
                   ) -> ColumnElement[bool]:
    """The same rule as `visit_visible`, as a SQL condition on ContainerVisit (indexed columns), or on
    another table holding a visit's parties in the same columns (VisitMilestones)."""
    if principal.role == Role.PORT_OFFICE.value:
        return true()
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return or_(table.enterprise_uscc == principal.uscc, table.declarant_uscc == principal.uscc)
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return table.terminal == principal.terminal
    return false()


def declaration_visible(principal: Principal, events: Iterable[ClearanceEvent],
                        visible_visit_count: int) -> bool:
    """May the principal see a declaration, given its effective events (timeline order) and how many
    visits of its containers (carrying it) the principal sees? Enterprise: it is one of the
    declaration's parties (models/parties.py: customs receipts, else the first filing); terminal: it
    sees one of those visits; port office: always."""
    if principal.role == Role.PORT_OFFICE.value:
        return True
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return principal.uscc in parties_of(list(events)).usccs
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return visible_visit_count > 0
    return False


def party_of(principal: Principal) -> tuple[str, str] | None:
    """The principal as a party of visits (models/write_check.py), None for the port office."""
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return ("terminal", principal.terminal)
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return ("uscc", principal.uscc)
    return None


def principal_header(principal: Principal) -> bytes:
    """The Kafka header value `clearance-principal` the portal puts on what it publishes."""
    binding = principal.terminal or principal.uscc or "all"
    return f"{principal.role}:{binding}:{principal.name}".encode()


def publish_refusals(principal: Principal, event: ClearanceEvent) -> list[str]:
    """Why the principal may not publish this event (empty: it may)."""
    if principal.role == Role.PORT_OFFICE.value:
        return []
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return _terminal_refusals(principal.terminal, event)
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        reasons = []
        if event.source != Source.ENTERPRISE.value:
            reasons.append(f"source: an enterprise publishes ENTERPRISE events, not {event.source}")
        if event.publisher != principal.uscc:
            reasons.append(f"publisher: must be your USCC {principal.uscc}, not {event.publisher}")
        if principal.uscc not in (event.enterprise_uscc, event.declarant_uscc):
            reasons.append(f"enterprise_uscc or declarant_uscc must be your USCC {principal.uscc}")
        return reasons
    return [f"role {principal.role!r} may not publish"]


def _terminal_refusals(terminal: str, event: ClearanceEvent) -> list[str]:
    reasons = []
    if event.source != Source.TERMINAL.value:
        reasons.append(f"source: a terminal operator publishes TERMINAL events, not {event.source}")
    if event.publisher != terminal:
        reasons.append(f"publisher: must be your terminal {terminal}, not {event.publisher}")
    if event.terminal is not None and event.terminal != terminal:
        reasons.append(f"terminal: must be your terminal {terminal}, not {event.terminal}")
    return reasons
