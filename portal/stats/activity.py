"""What is under way right now (`GET /api/v1/stats/now`): the principal's active visits by the stage of
their current event type (events.vocabulary), inspections, holds in force and open alerts. The current
type is container_visits', copied into visit_milestones by the same rebuild."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from events.vocabulary import EVENT_TYPES, Stage
from models.access import Principal, visible_visits
from models.milestones import VisitMilestones as M
from models.milestones import left_port_at
from portal.stats.figures import rounded

# A visit with no event for this long is not counted as under way (stale data, a box never collected).
STILL_ACTIVE = timedelta(days=90)


def active_visits(principal: Principal, direction: str | None, terminal: str | None,
                  now: datetime) -> list[ColumnElement[bool]]:
    """Under way: an ACTUAL event, not gone (models.milestones.left_port_at), an event in 90 days."""
    conditions = [left_port_at().is_(None), visible_visits(principal, M), M.current_type.is_not(None),
                  M.last_event_at >= now - STILL_ACTIVE]
    if direction is not None:
        conditions.append(M.direction == direction)
    if terminal is not None:
        conditions.append(M.terminal == terminal)
    return conditions


def activity_now(session: Session, principal: Principal, direction: str | None, terminal: str | None,
                 now: datetime) -> dict[str, Any]:
    """`{"at", "direction", "terminal", "active", "stages", "inspected", "inspection_rate",
    "active_holds", "open_alerts"}` over the principal's active visits."""
    query = (select(M.current_type, func.count(), func.sum(case((M.inspected, 1), else_=0)), func.sum(M.active_holds))
             .where(*active_visits(principal, direction, terminal, now)).group_by(M.current_type))
    by_stage = {stage.value: 0 for stage in Stage}
    active = inspected = holds = 0
    for current_type, count, inspected_count, hold_count in session.execute(query):
        by_stage[EVENT_TYPES[current_type].stage.value] += count
        active, inspected, holds = active + count, inspected + int(inspected_count), holds + int(hold_count)
    return {"at": now.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"), "direction": direction,
            "terminal": terminal, "active": active, "stages": [{"stage": s, "count": n} for s, n in by_stage.items()],
            "inspected": inspected, "inspection_rate": rounded(inspected / active) if active else None,
            "active_holds": holds, "open_alerts": open_alerts(session, principal)}


def open_alerts(session: Session, principal: Principal) -> int:
    """Open alerts the principal sees (models.alerts, the time limits' part); 0 while there is none."""
    try:
        from models.alerts import count_open_alerts
    except ImportError:
        return 0
    return int(count_open_alerts(session, principal))


ACTIVE_COLUMNS = ("container_no", "visit_key", "direction", "terminal", "enterprise_uscc", "declarant_uscc",
                  "lane", "current_type", "stage", "inspected", "active_holds", "last_event_at")


def active_rows(session: Session, principal: Principal, direction: str | None, terminal: str | None,
                now: datetime) -> Any:
    """The rows behind `activity_now`, one per active visit (ACTIVE_COLUMNS)."""
    query = (select(M.container_no, M.visit_key, M.direction, M.terminal, M.enterprise_uscc, M.declarant_uscc,
                    M.lane, M.current_type, M.inspected, M.active_holds, M.last_event_at)
             .where(*active_visits(principal, direction, terminal, now)).order_by(M.container_no, M.visit_key))
    for row in session.execute(query).yield_per(1000):
        *head, current_type, inspected, holds, last_event_at = row
        yield [*head, current_type, EVENT_TYPES[current_type].stage.value, inspected, holds, last_event_at]
