"""Reading container visits for the portal: functions of a Session, read-only."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from events.vocabulary import EVENT_TYPES, Stage
from models.access import Principal, visible_visits
from models.container import Container, ContainerVisit
from models.event import DeclarationContainer

VisitRow = tuple[str, int, dict[str, Any]]  # (container_no, version, visit state)


@dataclass(frozen=True)
class VisitFilter:
    q: str | None = None  # prefix of a container number, B/L or declaration number
    stage: str | None = None  # a Stage (the current type's stage) or an event type name
    direction: str | None = None


def page_of_visits(session: Session, principal: Principal, where: VisitFilter, page: int,
                   per_page: int) -> tuple[list[VisitRow], int]:
    """The principal's visits matching the filter, newest activity first: (one page, total count)."""
    conditions = [visible_visits(principal), *_conditions(where)]
    total = session.scalar(select(func.count()).select_from(ContainerVisit).where(*conditions)) or 0
    query = (_visit_rows().where(*conditions)
             .order_by(ContainerVisit.last_event_at.desc(), ContainerVisit.container_no, ContainerVisit.visit_key)
             .limit(per_page).offset((page - 1) * per_page))
    return [(c, v, s) for c, v, s in session.execute(query)], total


def visible_visits_of(session: Session, principal: Principal, container_nos: Sequence[str]) -> list[VisitRow]:
    """The principal's visits of these containers, by container then oldest visit first."""
    if not container_nos:
        return []
    query = (_visit_rows().where(visible_visits(principal), ContainerVisit.container_no.in_(list(container_nos)))
             .order_by(ContainerVisit.container_no, ContainerVisit.started_at, ContainerVisit.visit_key))
    return [(c, v, s) for c, v, s in session.execute(query)]


def _visit_rows() -> Select[Any]:
    return (select(ContainerVisit.container_no, Container.version, ContainerVisit.state)
            .join(Container, Container.container_no == ContainerVisit.container_no))


def _conditions(where: VisitFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.q:
        conditions.append(_search(where.q.strip().upper()))
    if where.stage:
        conditions.append(ContainerVisit.current_type.in_(types_for_stage(where.stage)))
    if where.direction:
        conditions.append(ContainerVisit.direction == where.direction)
    return conditions


def types_for_stage(stage: str) -> list[str]:
    """The event types a `stage` filter means: every type of a Stage, or the one type named."""
    if stage in Stage.__members__:
        return sorted(name for name, t in EVENT_TYPES.items() if t.stage is Stage[stage])
    return [stage]


def _search(q: str) -> ColumnElement[bool]:
    """Container number or B/L starting with q, or a declaration starting with q that the visit carries.
    Declarations go through the indexed declaration_containers links, then the visit's own state (a
    container's other visits may not carry that declaration)."""
    bl_no = func.upper(ContainerVisit.state["bl_no"].as_string())
    declared = select(DeclarationContainer.container_no).where(
        DeclarationContainer.declaration_no.startswith(q, autoescape=True))
    return or_(
        ContainerVisit.container_no.startswith(q, autoescape=True),
        bl_no.startswith(q, autoescape=True),
        and_(ContainerVisit.container_no.in_(declared),
             cast(ContainerVisit.state, Text).contains(f'"{q}', autoescape=True)),
    )
