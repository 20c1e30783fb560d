"""Overdue alerts (table `alerts`): one row per visit, step and tier, raised by the watcher
(`models.overdue`), acknowledged by a person, cleared when the step completes.

Who sees an alert is who sees its visit (models.access.visible_visits, on the visit as it is stored
now); the port office also sees the alerts of visits that are gone. Who may acknowledge one: the port
office and the terminal of its visit. Every change bumps `version` and marks the row not `pushed`: the
watcher then sends it to the alerts topic (the outbox: `unpushed_alerts`, `mark_pushed`). Functions take a
Session first, flush, and never commit.
"""
from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (BigInteger, Boolean, ColumnElement, Table, bindparam, Index, Integer, Select, String, UniqueConstraint, and_, func,
                        literal_column, select, text, true, update)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.access import Principal, visible_visits
from models.base import Base, UTCDateTime
from models.container import ContainerVisit
from models.time_limits import DEFAULT_STEPS
from models.user import Role


class Tier(str, enum.Enum):
    WARNING = "WARNING"  # the step is getting late
    ALARM = "ALARM"  # the step is past its limit


class State(str, enum.Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"  # someone said why; still overdue
    CLEARED = "CLEARED"  # kept as history


class Cleared(str, enum.Enum):
    COMPLETED = "COMPLETED"  # the step ended (completed_at)
    WITHDRAWN = "WITHDRAWN"  # the step's start (or its visit) is gone: an event was retracted or corrected
    ESCALATED = "ESCALATED"  # a warning whose alarm was raised
    RULE_DISABLED = "RULE_DISABLED"  # the rule that raised it was switched off


REOPENABLE = (Cleared.COMPLETED.value, Cleared.WITHDRAWN.value, Cleared.RULE_DISABLED.value)
NOT_CLEARED: ColumnElement[str] = literal_column("'CLEARED'")  # as a literal, so that the partial indexes' predicates match


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    container_no: Mapped[str] = mapped_column(String(11))
    visit_key: Mapped[str] = mapped_column(String(48))
    step: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(8))
    rule_id: Mapped[int] = mapped_column(Integer)  # the rule that raised it (no foreign key: kept if removed)
    threshold_seconds: Mapped[int] = mapped_column(Integer)  # of that rule and tier, when raised
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the step's start
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_by_user_id: Mapped[int | None] = mapped_column(Integer)
    acknowledge_reason: Mapped[str | None] = mapped_column(String(500))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_reason: Mapped[str | None] = mapped_column(String(16))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the step ended
    version: Mapped[int] = mapped_column(Integer)
    pushed: Mapped[bool] = mapped_column(Boolean)  # this version is on the alerts topic

    __table_args__ = (
        UniqueConstraint("container_no", "visit_key", "step", "tier"),  # raised once, by any watcher
        Index("ix_alerts_state_raised_at", "state", "raised_at"),
        Index("ix_alerts_tier_raised_at", "tier", "raised_at"),
        Index("ix_alerts_rule_id", "rule_id"),
        Index("ix_alerts_open_step", "step", postgresql_where=text("state <> 'CLEARED'"),
              sqlite_where=text("state <> 'CLEARED'")),
        Index("ix_alerts_unpushed", "id", postgresql_where=text("NOT pushed"), sqlite_where=text("NOT pushed")),
    )


class AlertStateError(ValueError):
    """The alert is not in a state that allows this (acknowledging one that is not open)."""


Parties = tuple[str | None, str | None, str | None]  # the visit's terminal, enterprise_uscc, declarant_uscc


def _moment(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def alert_view(alert: Alert, parties: Parties) -> dict[str, Any]:
    """An alert as the API and the live push show it."""
    step = DEFAULT_STEPS.get(alert.step)
    due = alert.started_at + timedelta(seconds=alert.threshold_seconds)
    took = late = None
    if alert.completed_at is not None:
        took = max(0, int((alert.completed_at - alert.started_at).total_seconds()))
        late = int((alert.completed_at - due).total_seconds())
    return {"id": alert.id, "version": alert.version, "container_no": alert.container_no,
            "visit": alert.visit_key, "direction": alert.visit_key.split("/")[0], "terminal": parties[0],
            "enterprise_uscc": parties[1], "declarant_uscc": parties[2], "step": alert.step,
            "step_en": step.name_en if step else alert.step, "step_zh": step.name_zh if step else alert.step,
            "tier": alert.tier, "state": alert.state, "rule_id": alert.rule_id,
            "threshold_seconds": alert.threshold_seconds, "started_at": _moment(alert.started_at),
            "due_at": _moment(due), "raised_at": _moment(alert.raised_at),
            "acknowledged_at": _moment(alert.acknowledged_at), "acknowledged_by": alert.acknowledged_by,
            "acknowledge_reason": alert.acknowledge_reason, "cleared_at": _moment(alert.cleared_at),
            "cleared_reason": alert.cleared_reason, "completed_at": _moment(alert.completed_at),
            "took_seconds": took, "late_seconds": late}


def visible_alerts(principal: Principal) -> Select[Alert, str | None, str | None, str | None]:
    """Alerts the principal may see, with their visit's parties: those of the visits it sees
    (models.access.visible_visits); the port office's include alerts whose visit is gone."""
    query = select(Alert, ContainerVisit.terminal, ContainerVisit.enterprise_uscc, ContainerVisit.declarant_uscc)
    on = and_(ContainerVisit.container_no == Alert.container_no, ContainerVisit.visit_key == Alert.visit_key)
    if principal.role == Role.PORT_OFFICE.value:
        return query.outerjoin(ContainerVisit, on)
    return query.join(ContainerVisit, on).where(visible_visits(principal))


def page_of_alerts(session: Session, principal: Principal, states: Collection[str], page: int,
                   per_page: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the principal's alerts in these states, newest first, and how many in all."""
    query = visible_alerts(principal).where(Alert.state.in_(sorted(states)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Alert.raised_at.desc(), Alert.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return [alert_view(alert, (t, e, d)) for alert, t, e, d in rows], total


def find_alert(session: Session, principal: Principal, alert_id: int) -> dict[str, Any] | None:
    """The alert as the principal may see it, or None (unknown or not its own: the same answer)."""
    row = session.execute(visible_alerts(principal).where(Alert.id == alert_id)).first()
    return alert_view(row[0], (row[1], row[2], row[3])) if row else None


def count_open_alerts(session: Session, principal: Principal) -> int:
    """How many OPEN alerts (not acknowledged, not cleared) the principal may see."""
    query = visible_alerts(principal).where(Alert.state == State.OPEN.value)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def may_acknowledge(principal: Principal, parties: Parties) -> bool:
    """The port office, and the terminal of the alert's visit."""
    if principal.role == Role.PORT_OFFICE.value:
        return True
    return principal.role == Role.TERMINAL.value and principal.terminal is not None \
        and principal.terminal == parties[0]


def acknowledge(session: Session, principal: Principal, alert_id: int, reason: str,
                now: datetime) -> dict[str, Any] | None:
    """Acknowledge an OPEN alert with a reason (who, when and why are kept on the row). None when the
    principal may not see it or may not acknowledge it (answered like an unknown alert); AlertStateError
    when it is acknowledged or cleared already."""
    row = session.execute(visible_alerts(principal).where(Alert.id == alert_id)).first()
    if row is None or not may_acknowledge(principal, (row[1], row[2], row[3])):
        return None
    changed = session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.state == State.OPEN.value)
        .values(state=State.ACKNOWLEDGED.value, acknowledged_at=now, acknowledged_by=principal.name,
                acknowledged_by_user_id=principal.user_id, acknowledge_reason=reason,
                version=Alert.version + 1, pushed=False)
        .execution_options(synchronize_session=False))
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise AlertStateError(f"alert {alert_id} is {row[0].state.lower()}, not open")
    session.expire(row[0])
    return find_alert(session, principal, alert_id)


def clear_rule_alerts(session: Session, rule_id: int, now: datetime) -> int:
    """Clear the alerts a rule raised that are not cleared yet (the rule was switched off)."""
    result = session.execute(
        update(Alert).where(Alert.rule_id == rule_id, Alert.state != NOT_CLEARED)
        .values(state=State.CLEARED.value, cleared_at=now, cleared_reason=Cleared.RULE_DISABLED.value,
                version=Alert.version + 1, pushed=False)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def unpushed_alerts(session: Session, limit: int = 5000) -> list[dict[str, Any]]:
    """Views of the alerts whose current version is not on the alerts topic yet, oldest first."""
    query = visible_alerts(Principal(0, "watcher", Role.PORT_OFFICE.value, None, None))
    rows = session.execute(query.where(~Alert.pushed, true()).order_by(Alert.id).limit(limit))
    return [alert_view(alert, (t, e, d)) for alert, t, e, d in rows]


def mark_pushed(session: Session, versions: Sequence[tuple[int, int]]) -> None:
    """Mark (id, version) pairs as on the topic; a row changed since keeps waiting for its push."""
    if not versions:
        return
    table: Table = Alert.__table__  # type: ignore[assignment]
    session.execute(update(table).where(table.c.id == bindparam("alert_id"), table.c.version == bindparam("seen"))
                    .values(pushed=True), [{"alert_id": i, "seen": v} for i, v in versions])
