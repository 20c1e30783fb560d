"""Yard steps a terminal owes: container visits whose clearance is waiting on the terminal (DOMAIN.md
§7, §10), from the stored visit states (container_visits). One rule table, YARD_STEPS:

| step | direction | waiting since (latest ACTUAL) | while the current event is | warning | alarm |
|---|---|---|---|---|---|
| REPOSITION (调箱) | both | INSPECTION_ORDERED | INSPECTION_ORDERED | 30 min | 24 h |
| REPOSITIONED (调箱到位) | both | REPOSITION_STARTED | REPOSITION_STARTED | 30 min | 2 h |
| ARRIVAL_REPORT (运抵) | EXPORT | GATE_IN | GATE_IN | 15 min | 2 h |
| LOAD (装船) | EXPORT | CUSTOMS_RELEASED | CUSTOMS_RELEASED, HOLD_RELEASED, VESSEL_ARRIVED | 24 h | 72 h |
| GATE_OUT (出闸, pickup) | IMPORT | CUSTOMS_RELEASED | CUSTOMS_RELEASED, HOLD_RELEASED | 3 d | 15 d |

A visit waits on a step while its current event (the latest ACTUAL one) is one the step lists: any
other event after it (the box moved, customs placed a hold) means the yard is not what it waits on.
Functions take a Session first and only read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from models.container import ContainerVisit

M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class YardStep:
    name: str
    next_type: str  # the event that ends the wait, what the terminal publishes
    direction: str | None  # None: both
    since: str
    while_current: tuple[str, ...]
    warning: timedelta
    alarm: timedelta


YARD_STEPS: tuple[YardStep, ...] = (
    YardStep("REPOSITION", "REPOSITION_STARTED", None, "INSPECTION_ORDERED", ("INSPECTION_ORDERED",), 30 * M, 24 * H),
    YardStep("REPOSITIONED", "REPOSITIONED", None, "REPOSITION_STARTED", ("REPOSITION_STARTED",), 30 * M, 2 * H),
    YardStep("ARRIVAL_REPORT", "ARRIVAL_REPORTED", "EXPORT", "GATE_IN", ("GATE_IN",), 15 * M, 2 * H),
    YardStep("LOAD", "LOADED", "EXPORT", "CUSTOMS_RELEASED",
             ("CUSTOMS_RELEASED", "HOLD_RELEASED", "VESSEL_ARRIVED"), 24 * H, 72 * H),
    YardStep("GATE_OUT", "GATE_OUT", "IMPORT", "CUSTOMS_RELEASED", ("CUSTOMS_RELEASED", "HOLD_RELEASED"), 3 * D, 15 * D),
)
MAX_ITEMS = 500


@dataclass(frozen=True)
class WaitingVisit:
    step: YardStep
    container_no: str
    state: dict[str, Any]  # the visit's state (models/visits.visit_state)
    since: datetime
    waited: timedelta

    @property
    def level(self) -> str:
        """"alarm", "warning" or "ok", by the step's limits."""
        if self.waited >= self.step.alarm:
            return "alarm"
        return "warning" if self.waited >= self.step.warning else "ok"


def _candidates(step: YardStep) -> ColumnElement[bool]:
    current = ContainerVisit.current_type.in_(step.while_current)
    return and_(current, ContainerVisit.direction == step.direction) if step.direction else current


def waiting_visits(session: Session, visible: ColumnElement[bool], now: datetime,
                   limit: int = MAX_ITEMS) -> list[WaitingVisit]:
    """The visits `visible` selects that wait on a yard step, the longest wait first (at most `limit`)."""
    rows = session.execute(select(ContainerVisit.container_no, ContainerVisit.direction, ContainerVisit.current_type,
                                  ContainerVisit.state)
                           .where(visible, or_(*(_candidates(s) for s in YARD_STEPS)))
                           .order_by(ContainerVisit.last_event_at, ContainerVisit.container_no)
                           .limit(limit * 4))
    found = [w for row in rows for w in _waits(row.container_no, row.direction, row.current_type, row.state, now)]
    return sorted(found, key=lambda w: (-w.waited, w.container_no, w.step.name))[:limit]


def _waits(container_no: str, direction: str, current: str | None, state: dict[str, Any],
           now: datetime) -> list[WaitingVisit]:
    found = []
    for step in YARD_STEPS:
        if current not in step.while_current or step.direction not in (None, direction):
            continue
        since = waiting_since(state, step.since)
        if since is not None:
            found.append(WaitingVisit(step, container_no, state, since, max(now - since, timedelta())))
    return found


def waiting_since(state: dict[str, Any], since_type: str) -> datetime | None:
    """When the latest ACTUAL `since_type` event of the visit happened, if it has one."""
    times = [e["occurred_at"] for e in state.get("timeline", ())
             if e.get("type") == since_type and e.get("classifier", "ACTUAL") == "ACTUAL"]
    return datetime.fromisoformat(times[-1].replace("Z", "+00:00")) if times else None
