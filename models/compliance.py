"""How well the time limits are kept: per terminal, rule and day, the share of steps done within the limit
(the rule's alarm threshold) beside the published commitment; and who collects the alarms.

A step counts on the Asia/Shanghai day it started, once it is decided: completed (within the limit or
not), or still open past the limit (not within). Steps still open and within the limit are not counted
yet. Every figure is over the visits the principal sees (models.access.visible_visits); offenders count
the ALARM alerts raised in the period, by the visit's terminal and declarant, leaving out alerts
withdrawn with their step (a retracted event is not an offence).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from models.access import Principal, visible_visits
from models.alert_rules import load_rules
from models.alerts import Cleared, Tier
from models.container import ContainerVisit
from models.figure_days import days_not_kept, durations, kept_days
from models.measure_sql import day_start
from models.overdue import ALERTS, MILESTONES, applies_to, earliest
from models.step_days import StepDayValues
from models.time_limits import StepRule, applicability
from models.user import Role

SHANGHAI = timezone(timedelta(hours=8))  # China Standard Time: no daylight saving


@dataclass(frozen=True)
class Period:
    """Asia/Shanghai days, `first_day` to `last_day` included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), SHANGHAI)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time(), SHANGHAI)


def local_day(column: ColumnElement[Any], dialect: str) -> ColumnElement[str]:
    """'YYYY-MM-DD' of a UTC timestamp column in Asia/Shanghai."""
    if dialect == "postgresql":
        return func.to_char(column + literal_column("interval '8 hours'"), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, "+8 hours")


def seconds_between(start: ColumnElement[Any], end: ColumnElement[Any], dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":  # date_part is double precision: 4 times cheaper than EXTRACT's numeric
        return func.date_part("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _in_scope(query: Select[Any], principal: Principal) -> Select[Any]:
    """Only the visits the principal sees (joined to container_visits unless it is the port office)."""
    if principal.role == Role.PORT_OFFICE.value:
        return query
    return query.join(ContainerVisit, and_(ContainerVisit.container_no == MILESTONES.c.container_no,
                                           ContainerVisit.visit_key == MILESTONES.c.visit_key)) \
        .where(visible_visits(principal))


def _rule_rows(session: Session, principal: Principal, rule_id: int, rule: StepRule, every: list[StepRule],
               period: Period, kept: set[date], now: datetime) -> list[dict[str, Any]]:
    """The rule's rows: from the steps kept per day (models.step_days) for the `kept` days, and from
    visit_milestones for the others."""
    counted = _kept_counts(session, principal, rule, every, kept, now) if kept else {}
    rows = [_compliance_row(day.isoformat(), terminal, steps, within, rule_id, rule)
            for (day, terminal), (steps, within) in counted.items() if steps]
    live = days_not_kept(period.first_day, period.last_day + timedelta(days=1), kept)
    if live:
        rows += _live_rule_rows(session, principal, rule_id, rule, every, live, now)
    return rows


def _kept_scope(principal: Principal) -> bool:
    """Kept rows are per terminal: the port office's and a terminal's compliance can be read from them."""
    return principal.role == Role.PORT_OFFICE.value or (principal.role == Role.TERMINAL.value
                                                          and principal.terminal is not None)


def _kept_counts(session: Session, principal: Principal, rule: StepRule, every: list[StepRule], kept: set[date],
                 now: datetime) -> dict[tuple[date, str | None], list[int]]:
    """(day, terminal) -> [steps decided, within the limit] of the rule over the kept days."""
    where = applicability(rule, every)
    late_start = (now - timedelta(seconds=rule.alarm_seconds)).timestamp()
    conditions = [StepDayValues.step == rule.step, StepDayValues.day.in_(sorted(kept))]
    if rule.direction:
        conditions.append(StepDayValues.direction == rule.direction)
    if principal.role == Role.TERMINAL.value:
        conditions.append(StepDayValues.terminal == principal.terminal)
    counted: dict[tuple[date, str | None], list[int]] = defaultdict(lambda: [0, 0])
    query = select(StepDayValues.day, StepDayValues.terminal, StepDayValues.size, StepDayValues.completed,
                   StepDayValues.open_starts).where(*conditions)
    for day, terminal, size, completed, open_starts in session.execute(query):
        if where.matches(terminal, size):
            done, still_open = durations(completed), durations(open_starts)
            within = bisect_right(done, rule.alarm_seconds)
            counted[(day, terminal)][0] += len(done) + bisect_right(still_open, late_start)
            counted[(day, terminal)][1] += within
    return counted


def _live_rule_rows(session: Session, principal: Principal, rule_id: int, rule: StepRule, every: list[StepRule],
                    days: list[tuple[date, date]], now: datetime) -> list[dict[str, Any]]:
    dialect = session.get_bind().dialect.name
    m = MILESTONES.c
    start = m[rule.start]
    ended = earliest([m[name] for name in rule.ends], dialect)
    within = and_(ended.is_not(None), seconds_between(start, ended, dialect) <= rule.alarm_seconds)
    day = local_day(start, dialect).label("day")
    started_then = or_(*(and_(start >= day_start(a), start < day_start(b)) for a, b in days))
    query = (select(day, m.terminal, func.count().label("steps"),
                    func.sum(case((within, 1), else_=0)).label("within"))
             .select_from(MILESTONES)
             .where(start.is_not(None), *(m[name].is_not(None) for name in rule.requires),
                    *([m.direction == rule.direction] if rule.direction else []),
                    *applies_to(applicability(rule, every)), started_then,
                    (ended.is_not(None)) | (start <= now - timedelta(seconds=rule.alarm_seconds)))
             .group_by(day, m.terminal))
    return [_compliance_row(day_text, terminal, steps, int(done or 0), rule_id, rule)
            for day_text, terminal, steps, done in session.execute(_in_scope(query, principal))]


def _compliance_row(day_text: str, terminal: str | None, steps: int, within: int, rule_id: int,
                    rule: StepRule) -> dict[str, Any]:
    share = within / steps if steps else None
    commitment = rule.commitment_percent
    return {"day": day_text, "terminal": terminal, "step": rule.step, "rule_id": rule_id, "steps": steps,
            "within": within, "late": steps - within, "share_within": share,
            "commitment_percent": commitment,
            "meets_commitment": None if commitment is None or share is None else share * 100 >= commitment}


def compliance(session: Session, principal: Principal, period: Period, now: datetime) -> list[dict[str, Any]]:
    """One row per day, terminal and enabled rule with steps decided in the period, in that order."""
    rules = load_rules(session)
    every = [rule for _, rule in rules]
    end_day = period.last_day + timedelta(days=1)
    kept = kept_days(session, period.first_day, end_day) if _kept_scope(principal) else set()
    rows: list[dict[str, Any]] = []
    for rule_id, rule in rules:
        if rule.enabled:
            rows += _rule_rows(session, principal, rule_id, rule, every, period, kept, now)
    return sorted(rows, key=lambda r: (r["day"], r["terminal"] or "", r["step"], r["rule_id"]))


def offenders(session: Session, principal: Principal, period: Period) -> dict[str, list[dict[str, Any]]]:
    """{"terminals": [...], "declarants": [...]}: each party with ALARM alerts raised in the period, most
    alarms first: {"party", "alarms", "containers" (distinct), "by_step": {step: alarms}}."""
    return {"terminals": _offenders(session, principal, period, ContainerVisit.terminal),
            "declarants": _offenders(session, principal, period, ContainerVisit.declarant_uscc)}


def _alarms(principal: Principal, period: Period, party: Any, *columns: Any) -> Select[Any]:
    """The principal's ALARM alerts raised in the period, not withdrawn, by the party of their visit."""
    reason = ALERTS.c.cleared_reason
    return (select(party, *columns).select_from(ALERTS)
            .join(ContainerVisit, and_(ContainerVisit.container_no == ALERTS.c.container_no,
                                       ContainerVisit.visit_key == ALERTS.c.visit_key))
            .where(ALERTS.c.tier == Tier.ALARM.value, ALERTS.c.raised_at >= period.start,
                   ALERTS.c.raised_at < period.end, party.is_not(None), visible_visits(principal),
                   reason.is_(None) | (reason != Cleared.WITHDRAWN.value)))


def _offenders(session: Session, principal: Principal, period: Period, party: Any) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    by_step = _alarms(principal, period, party, ALERTS.c.step, func.count()).group_by(party, ALERTS.c.step)
    for name, step, alarms in session.execute(by_step):
        entry = found.setdefault(name, {"party": name, "alarms": 0, "containers": 0, "by_step": {}})
        entry["alarms"] += alarms
        entry["by_step"][step] = alarms
    boxes = _alarms(principal, period, party, func.count(func.distinct(ALERTS.c.container_no))).group_by(party)
    for name, containers in session.execute(boxes):
        found[name]["containers"] = containers  # one box may be late at several steps
    return sorted(found.values(), key=lambda e: (-e["alarms"], e["party"]))
