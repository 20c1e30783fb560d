"""The time-limit rules as stored (table `alert_rules`) and every change made to them (`alert_rule_changes`).

A stored rule holds what a port office may set: step, terminal (NULL: port-wide), size (NULL: any), the
warning and alarm thresholds, the commitment and whether it is on. What a step is (its start and end
milestones, direction, names) comes from `models.time_limits.DEFAULT_STEPS`, so that every rule of a step
measures the same thing. The port-wide rules are seeded from `DEFAULT_RULES` (migration 0007, and
`seed_default_rules` for a database that lost them). Every change by a person is a row of
`alert_rule_changes`: who, when, the rule before and after. Functions take a Session first, flush, and
never commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.access import Principal
from models.alerts import clear_rule_alerts
from models.audit_log import Actor, record_rule_edit
from models.base import Base, UTCDateTime
from models.dialect import dialect_insert
from models.time_limits import (
    DEFAULT_RULES,
    DEFAULT_STEPS,
    RuleError,
    StepRule,
    check_commitment,
    check_size,
    check_thresholds,
)
from models.user import Role

log = logging.getLogger(__name__)


class AlertRule(Base):
    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    terminal: Mapped[str | None] = mapped_column(String(16))  # None: port-wide
    size: Mapped[int | None] = mapped_column(Integer)  # None: any size
    warning_seconds: Mapped[int | None] = mapped_column(Integer)
    alarm_seconds: Mapped[int] = mapped_column(Integer)
    commitment_percent: Mapped[float | None] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # One rule per step, terminal and size; NULLs would not collide in a plain unique index.
    __table_args__ = (Index("uq_alert_rules_step_terminal_size", "step", text("coalesce(terminal, '')"),
                            text("coalesce(size, 0)"), unique=True),)


class AlertRuleChange(Base):
    __tablename__ = "alert_rule_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key: kept after a removal
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_by_user_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))  # create, update, delete
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RuleNotFound(LookupError):
    """No rule has that id."""


@dataclass(frozen=True)
class RuleSettings:
    """What a port office sets on a rule."""

    warning_seconds: int | None
    alarm_seconds: int
    commitment_percent: float | None
    enabled: bool

    def check(self) -> None:
        check_thresholds(self.warning_seconds, self.alarm_seconds)
        check_commitment(self.commitment_percent)


def may_edit_rules(principal: Principal) -> bool:
    return principal.role == Role.PORT_OFFICE.value


def default_rule_rows(now: datetime) -> list[dict[str, Any]]:
    """The `alert_rules` rows of DEFAULT_RULES."""
    return [{"step": r.step, "terminal": r.terminal, "size": r.size, "warning_seconds": r.warning_seconds,
             "alarm_seconds": r.alarm_seconds, "commitment_percent": r.commitment_percent,
             "enabled": r.enabled, "updated_at": now} for r in DEFAULT_RULES]


def seed_default_rules(session: Session, now: datetime) -> int:
    """Add the default rules whose (step, terminal, size) has no row; keep every rule that is there.
    Safe with several callers at once. Returns how many were added."""
    table = AlertRule.__table__
    added = 0
    for row in default_rule_rows(now):
        result = session.execute(dialect_insert(session, table).values(row).on_conflict_do_nothing())
        added += result.rowcount or 0  # type: ignore[attr-defined]
    return added


def step_rule(row: AlertRule) -> StepRule | None:
    """The rule as the watcher applies it (None: a step this code does not define, logged)."""
    step = DEFAULT_STEPS.get(row.step)
    if step is None:
        log.warning("alert rule %s names unknown step %r: ignored", row.id, row.step)
        return None
    return replace(step, terminal=row.terminal, size=row.size, warning_seconds=row.warning_seconds,
                   alarm_seconds=row.alarm_seconds, commitment_percent=row.commitment_percent,
                   enabled=row.enabled)


def load_rules(session: Session) -> list[tuple[int, StepRule]]:
    """Every stored rule of a known step, switched off ones included, as (id, rule)."""
    rows = session.scalars(select(AlertRule).order_by(AlertRule.step, AlertRule.terminal, AlertRule.size,
                                                      AlertRule.id))
    return [(row.id, rule) for row in rows if (rule := step_rule(row)) is not None]


def rule_record(row: AlertRule) -> dict[str, Any]:
    """A rule as the API shows it and the audit keeps it: the stored settings and the step's definition."""
    step = DEFAULT_STEPS.get(row.step)
    return {"id": row.id, "step": row.step, "name_en": step.name_en if step else None,
            "name_zh": step.name_zh if step else None, "direction": step.direction if step else None,
            "start": step.start if step else None, "ends": list(step.ends) if step else [],
            "requires": list(step.requires) if step else [], "terminal": row.terminal, "size": row.size,
            "warning_seconds": row.warning_seconds, "alarm_seconds": row.alarm_seconds,
            "commitment_percent": row.commitment_percent, "enabled": row.enabled,
            "updated_at": row.updated_at.isoformat().replace("+00:00", "Z")}


def _audit(session: Session, rule_id: int, action: str, old: dict[str, Any] | None,
           new: dict[str, Any] | None, by: Principal, now: datetime) -> None:
    session.add(AlertRuleChange(rule_id=rule_id, changed_at=now, changed_by=by.name, changed_by_user_id=by.user_id,
                                action=action, old=old, new=new))
    record_rule_edit(session, rule_id, action, old, new, Actor(by.name, by.user_id))


def update_rule(session: Session, rule_id: int, settings: RuleSettings, by: Principal,
                now: datetime) -> AlertRule:
    """Set a rule's thresholds, commitment and switch, audited. Switching a rule off clears the alerts it
    raised that are not cleared yet (models.alerts.clear_rule_alerts). Raises RuleNotFound, RuleError."""
    settings.check()
    row = session.get(AlertRule, rule_id, with_for_update=True)
    if row is None:
        raise RuleNotFound(rule_id)
    old = rule_record(row)
    row.warning_seconds, row.alarm_seconds = settings.warning_seconds, settings.alarm_seconds
    row.commitment_percent, row.enabled, row.updated_at = settings.commitment_percent, settings.enabled, now
    session.flush()
    if old["enabled"] and not settings.enabled:
        clear_rule_alerts(session, rule_id, now)
    _audit(session, rule_id, "update", old, rule_record(row), by, now)
    session.flush()
    return row


def add_rule(session: Session, step: str, terminal: str | None, size: int | None, settings: RuleSettings,
             by: Principal, now: datetime) -> AlertRule:
    """A terminal's own rule for a step, or a rule for one container size, audited. Raises RuleError
    (unknown step, no terminal and no size, a rule already there for that step, terminal and size)."""
    settings.check()
    check_size(size)
    if step not in DEFAULT_STEPS:
        raise RuleError(f"unknown step {step!r} (known: {', '.join(sorted(DEFAULT_STEPS))})")
    if terminal is None and size is None:
        raise RuleError("the port-wide rule for any size exists already: change it with PUT")
    existing = session.scalar(select(AlertRule.id).where(
        AlertRule.step == step, AlertRule.terminal.is_(None) if terminal is None else AlertRule.terminal == terminal,
        AlertRule.size.is_(None) if size is None else AlertRule.size == size))
    if existing is not None:
        raise RuleError(f"rule {existing} is already the rule for that step, terminal and size: change it with PUT")
    row = AlertRule(step=step, terminal=terminal, size=size, warning_seconds=settings.warning_seconds,
                    alarm_seconds=settings.alarm_seconds, commitment_percent=settings.commitment_percent,
                    enabled=settings.enabled, updated_at=now)
    session.add(row)
    session.flush()
    _audit(session, row.id, "create", None, rule_record(row), by, now)
    session.flush()
    return row


def remove_rule(session: Session, rule_id: int, by: Principal, now: datetime) -> None:
    """Remove a terminal's or a size's rule, audited; the visits it covered follow the next less specific
    rule from the next watcher pass on. A step's port-wide rule for any size cannot be removed (switch it
    off instead). Raises RuleNotFound, RuleError."""
    row = session.get(AlertRule, rule_id, with_for_update=True)
    if row is None:
        raise RuleNotFound(rule_id)
    if row.terminal is None and row.size is None:
        raise RuleError("a step's port-wide rule for any size cannot be removed: set enabled to false")
    _audit(session, rule_id, "delete", rule_record(row), None, by, now)
    session.delete(row)
    session.flush()


def rule_changes(session: Session, rule_id: int) -> list[AlertRuleChange]:
    """A rule's changes, oldest first (also after it was removed)."""
    return list(session.scalars(select(AlertRuleChange).where(AlertRuleChange.rule_id == rule_id)
                                .order_by(AlertRuleChange.changed_at, AlertRuleChange.id)))
