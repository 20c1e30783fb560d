"""One pass of the overdue watcher over `visit_milestones`: raise the alerts of steps past a threshold,
escalate warnings whose alarm is raised, clear the alerts of steps that completed or are gone.

Each pass is a handful of indexed statements whatever the number of visits (one INSERT … SELECT per
rule and tier, one UPDATE per step): nothing is read into Python but the ids of the rows it changed. An
alert is keyed by (container, visit, step, tier) and raised with INSERT … ON CONFLICT, so passes by
several watchers at once, or again after a crash, raise each alert once. A cleared alert whose step is
open and overdue again (its end event was retracted) is opened again by the same statement; an
escalated warning is not. Functions take a Session first, flush, and never commit; `now` is the caller's
clock (tests pass their own).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Index, Table, and_, exists, literal, null, or_, select, text, tuple_, update
from sqlalchemy.orm import Session

from models.alert_rules import load_rules
from models.alerts import NOT_CLEARED, REOPENABLE, Alert, Cleared, State, Tier
from models.base import UTCDateTime
from models.dialect import dialect_insert, one_of
from models.milestones import VisitMilestones
from models.time_limits import DEFAULT_STEPS, Applicability, StepRule, applicability

MILESTONES: Table = VisitMilestones.__table__  # type: ignore[assignment]
ALERTS: Table = Alert.__table__  # type: ignore[assignment]


def _open_step_index(rule: StepRule) -> Index:
    """The visits where a step started and has not ended: the range `raise_overdue` scans (partial, so it
    holds the open steps only; migration 0007 creates the same)."""
    m = MILESTONES.c
    where = and_(*(m[name].is_(None) for name in rule.ends))
    columns = ([m.direction] if rule.direction else []) + [m[rule.start]]
    return Index(f"ix_visit_milestones_open_{rule.step.lower()}", *columns, postgresql_where=where,
                 sqlite_where=where)


OPEN_STEP_INDEXES = tuple(_open_step_index(rule) for rule in DEFAULT_STEPS.values())


@dataclass
class PassResult:
    raised: list[int] = field(default_factory=list)  # new alerts, and cleared ones opened again
    cleared: list[int] = field(default_factory=list)  # completed, withdrawn or escalated

    @property
    def changed(self) -> int:
        return len(self.raised) + len(self.cleared)


PASS_LOCK = 7007  # PostgreSQL advisory lock: one watcher pass at a time


def watch_pass(session: Session, now: datetime) -> PassResult:
    """Bring the alerts up to date with the milestones as of `now` (aware UTC). Watchers' passes take
    turns (a transaction-level advisory lock on PostgreSQL; SQLite writers queue anyway), so that their
    row locks never cross; the alert key and ON CONFLICT are what make raising idempotent."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PASS_LOCK})
    rules = load_rules(session)
    result = PassResult()
    every = [rule for _, rule in rules]
    alarms: list[int] = []
    for rule_id, rule in rules:
        if rule.enabled:
            raised = raise_overdue(session, rule_id, rule, applicability(rule, every), now)
            alarms += raised[Tier.ALARM]
            result.raised += raised[Tier.ALARM] + raised[Tier.WARNING]
    result.cleared += escalate_warnings(session, alarms, now)
    for step in {rule.step: rule for _, rule in rules}.values():
        result.cleared += clear_completed(session, step, now)
        result.cleared += withdraw_gone(session, step, now)
    session.flush()
    return result


ANALYZE_AFTER = 1000  # changed alerts in one pass beyond which the planner's statistics are refreshed


def refresh_statistics(session: Session, result: PassResult) -> bool:
    """After a pass that changed many alerts (a backlog raised at once), ANALYZE alerts on PostgreSQL:
    with the statistics of a nearly empty table the planner picks nested loops that make the next passes
    several times slower until autovacuum gets to it. Returns whether it did."""
    if result.changed < ANALYZE_AFTER or session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text("ANALYZE alerts"))
    return True


def tiers(rule: StepRule) -> list[tuple[Tier, int]]:
    """(tier, threshold) pairs of a rule, the alarm first."""
    found = [(Tier.ALARM, rule.alarm_seconds)]
    if rule.warning_seconds is not None:
        found.append((Tier.WARNING, rule.warning_seconds))
    return found


def applies_to(where: Applicability) -> list[ColumnElement[bool]]:
    """`Applicability` as conditions on visit_milestones' terminal and size (NULLs never excluded)."""
    m = MILESTONES.c
    conditions: list[ColumnElement[bool]] = []
    if where.terminal is not None:
        conditions.append(m.terminal == where.terminal)
    if where.size is not None:
        conditions.append(m.size == where.size)
    if where.except_terminals:
        conditions.append(or_(m.terminal.is_(None), m.terminal.not_in(sorted(where.except_terminals))))
    if where.except_sizes:
        conditions.append(or_(m.size.is_(None), m.size.not_in(sorted(where.except_sizes))))
    for terminal, size in sorted(where.except_pairs):
        conditions.append(or_(m.terminal.is_(None), m.size.is_(None), m.terminal != terminal, m.size != size))
    return conditions


def _started(rule: StepRule) -> list[ColumnElement[bool]]:
    m = MILESTONES.c
    conditions: list[ColumnElement[bool]] = [m[rule.start].is_not(None),
                                             *(m[name].is_not(None) for name in rule.requires)]
    if rule.direction is not None:
        conditions.append(m.direction == rule.direction)
    return conditions


def _same_visit(alerts: Any = ALERTS) -> ColumnElement[bool]:
    return and_(alerts.c.container_no == MILESTONES.c.container_no, alerts.c.visit_key == MILESTONES.c.visit_key)


def overdue_steps(rule: StepRule, where: Applicability, tier: Tier, threshold: int,
                  now: datetime) -> list[ColumnElement[bool]]:
    """The visits whose step of `rule` is open and past `threshold`, with no alert of that tier standing
    (a cleared one that may be opened again does not count)."""
    m = MILESTONES.c
    start = m[rule.start]
    conditions: list[ColumnElement[bool]] = [*_started(rule), *(m[name].is_(None) for name in rule.ends),
                  start <= now - timedelta(seconds=threshold), *applies_to(where)]
    if tier is Tier.WARNING:  # past the alarm already: the alarm alone is raised
        conditions.append(start > now - timedelta(seconds=rule.alarm_seconds))
    standing = or_(ALERTS.c.state != NOT_CLEARED, ALERTS.c.cleared_reason.not_in(REOPENABLE))
    conditions.append(~exists().where(_same_visit(), ALERTS.c.step == rule.step, ALERTS.c.tier == tier.value,
                                      standing))
    return conditions


def raise_overdue(session: Session, rule_id: int, rule: StepRule, where: Applicability,
                  now: datetime) -> dict[Tier, list[int]]:
    """Raise (or open again) the alerts of one rule, every tier; returns their ids by tier."""
    m = MILESTONES.c
    raised: dict[Tier, list[int]] = {Tier.ALARM: [], Tier.WARNING: []}
    for tier, threshold in tiers(rule):
        columns = {"container_no": m.container_no, "visit_key": m.visit_key, "step": literal(rule.step),
                   "tier": literal(tier.value), "rule_id": literal(rule_id), "threshold_seconds": literal(threshold),
                   "state": literal(State.OPEN.value), "started_at": m[rule.start],
                   "raised_at": literal(now, UTCDateTime), "version": literal(1), "pushed": literal(False)}
        source = select(*columns.values()).where(*overdue_steps(rule, where, tier, threshold, now))
        insert = dialect_insert(session, ALERTS).from_select(list(columns), source)
        reopen = {name: insert.excluded[name] for name in ("rule_id", "threshold_seconds", "started_at", "raised_at")}
        reopen.update({name: null() for name in ("acknowledged_at", "acknowledged_by", "acknowledged_by_user_id",
                                                 "acknowledge_reason", "cleared_at", "cleared_reason", "completed_at")})
        reopen.update(state=State.OPEN.value, version=ALERTS.c.version + 1, pushed=False)
        statement = insert.on_conflict_do_update(
            index_elements=["container_no", "visit_key", "step", "tier"], set_=reopen,
            where=and_(ALERTS.c.state == NOT_CLEARED, ALERTS.c.cleared_reason.in_(REOPENABLE)))
        raised[tier] += session.scalars(statement.returning(ALERTS.c.id)).all()
    return raised


def _cleared(now: datetime, reason: Cleared, **values: Any) -> dict[str, Any]:
    return {"state": State.CLEARED.value, "cleared_at": now, "cleared_reason": reason.value,
            "version": ALERTS.c.version + 1, "pushed": False, **values}


def escalate_warnings(session: Session, alarms: list[int], now: datetime) -> list[int]:
    """Clear the standing warnings of the steps whose alarm was just raised (ESCALATED). Only these: a
    warning is raised only while its step is short of the alarm, so no other warning has a standing alarm."""
    if not alarms:
        return []
    alarm = ALERTS.alias("alarm")
    raised = select(alarm.c.container_no, alarm.c.visit_key, alarm.c.step).where(one_of(session, alarm.c.id, alarms))
    statement = (update(ALERTS).where(ALERTS.c.state != NOT_CLEARED, ALERTS.c.tier == Tier.WARNING.value,
                                      tuple_(ALERTS.c.container_no, ALERTS.c.visit_key, ALERTS.c.step).in_(raised))
                 .values(_cleared(now, Cleared.ESCALATED)).returning(ALERTS.c.id))
    return list(session.scalars(statement).all())


def earliest(columns: Sequence[ColumnElement[Any]], dialect: str) -> ColumnElement[Any]:
    """The earliest non-NULL of these columns (NULL if all are): LEAST skips NULLs on PostgreSQL;
    SQLite's min() of several values is NULL if one is, hence one COALESCE per column."""
    from sqlalchemy import func

    if len(columns) == 1:
        return columns[0]
    if dialect == "postgresql":
        return func.least(*columns)
    return func.min(*(func.coalesce(c, *(o for o in columns if o is not c)) for c in columns))


def clear_completed(session: Session, step: StepRule, now: datetime) -> list[int]:
    """Clear the standing alerts of a step that ended, keeping when it ended (COMPLETED)."""
    ends = [MILESTONES.c[name] for name in step.ends]
    ended = select(earliest(ends, session.get_bind().dialect.name)).where(_same_visit()).scalar_subquery()
    statement = (update(ALERTS).where(ALERTS.c.state != NOT_CLEARED, ALERTS.c.step == step.step,
                                      exists().where(_same_visit(), or_(*(e.is_not(None) for e in ends))))
                 .values(_cleared(now, Cleared.COMPLETED, completed_at=ended)).returning(ALERTS.c.id))
    return list(session.scalars(statement).all())


def withdraw_gone(session: Session, step: StepRule, now: datetime) -> list[int]:
    """Clear the standing alerts of a step whose start (or whose visit) is no longer there (WITHDRAWN)."""
    statement = (update(ALERTS).where(ALERTS.c.state != NOT_CLEARED, ALERTS.c.step == step.step,
                                      ~exists().where(_same_visit(), *_started(step)))
                 .values(_cleared(now, Cleared.WITHDRAWN)).returning(ALERTS.c.id))
    return list(session.scalars(statement).all())
