"""Reading the clearance figures from visit_milestones: functions of a Session, read-only.

A visit's figure belongs to the Asia/Shanghai day its measure ended on; `from` is inclusive, `to`
exclusive. The aggregation itself is portal.stats.scan.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.orm import Session

from models.access import Principal, visible_visits
from models.measure_sql import MeasureSql, day_start
from models.measures import Measure, stages
from models.milestones import VisitMilestones as M
from models.user import Role
from portal.stats.figures import open_minute, rounded, share_ended
from portal.stats.kept import dimension_filters, kept_figures, kept_scope
from portal.stats.scan import Figures, figures

GROUP_BY = ("none", "day", "terminal", "declarant", "lane", "inspected")
SURVIVAL_HOURS = (0.5, 1, 2, 4, 8, 12, 24, 48, 72, 96, 168, 336)  # the default "ended within" points


@dataclass(frozen=True)
class StatsFilter:
    direction: str
    first_day: date  # Asia/Shanghai, inclusive
    end_day: date  # exclusive
    terminal: str | None = None
    lane: str | None = None
    inspected: bool | None = None


def measure_sql(session: Session, measure: Measure) -> MeasureSql:
    """The measure's SQL on the session's database. On PostgreSQL the transaction may sort a period's
    durations in memory (4 MB, the default, spilled 100,000 of them to disk)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    return MeasureSql(measure, session.get_bind().dialect.name)


def scope(principal: Principal | None, where: StatsFilter) -> list[ColumnElement[bool]]:
    """The visits of the direction and filters that the principal sees (None: the whole port)."""
    conditions = [M.direction == where.direction]
    if principal is not None:
        conditions.append(visible_visits(principal, M))
    return conditions + dimension_filters(M, where)


def ended_in_period(sql: MeasureSql, where: StatsFilter) -> list[ColumnElement[bool]]:
    return [sql.end >= day_start(where.first_day), sql.end < day_start(where.end_day)]


def opened(sql: MeasureSql, where: StatsFilter) -> list[ColumnElement[bool]]:
    """Started in the period and not ended yet."""
    return [sql.end.is_(None), sql.start_known, sql.start >= day_start(where.first_day),
            sql.start < day_start(where.end_day)]


def group_key(sql: MeasureSql, group_by: str) -> ColumnElement[Any] | None:
    """What `group_by` groups on; None for no grouping (one group)."""
    keys: dict[str, Any] = {
        "none": None, "day": sql.day(sql.end), "terminal": M.terminal, "declarant": M.declarant_uscc,
        "lane": M.lane, "inspected": M.inspected}
    return keys[group_by]


def open_minutes(session: Session, sql: MeasureSql, conditions: Sequence[ColumnElement[bool]],
                 now: datetime) -> dict[int, int]:
    """How many open visits have been open for how many whole minutes at `now`."""
    minutes: dict[int, int] = defaultdict(int)
    for (started,) in session.execute(select(sql.start).where(*conditions)):
        minutes[open_minute(max((now - started).total_seconds(), 0.0))] += 1
    return dict(minutes)


def clearance_time(session: Session, principal: Principal, measure: Measure, where: StatsFilter, group_by: str,
                   now: datetime, within_hours: Sequence[float] = SURVIVAL_HOURS) -> dict[str, Any]:
    """The figures of one measure over the principal's visits (`GET /api/v1/stats/clearance-time`)."""
    sql = measure_sql(session, measure)
    mine = scope(principal, where)
    found = period_figures(session, sql, principal, where, group_by, with_minutes=True)
    censored = open_minutes(session, sql, [*mine, *opened(sql, where)], now)
    ended = found.ended_minutes if found.ended_seconds is None else found.ended_seconds
    shares = share_ended(ended, censored, [round(h * 60) for h in within_hours])
    return {
        "measure": measure.name, "direction": where.direction, "from": where.first_day.isoformat(),
        "to": where.end_day.isoformat(), "unit": "hours", "groups": found.groups,
        "open": sum(censored.values()), "excluded": found.excluded,
        "survival": [{"hours": h, "share_ended": rounded(s)} for h, s in zip(within_hours, shares)],
        "port_p50": port_p50(session, principal, sql, where),
    }


def period_figures(session: Session, sql: MeasureSql, principal: Principal | None, where: StatsFilter,
                   group_by: str = "none", with_minutes: bool = False) -> Figures:
    """The figures of the measure over the principal's visits (None: the whole port) that ended in the
    period: from the days kept (portal.stats.kept) where they can answer, else from every visit."""
    mine = scope(principal, where)
    kept_where = kept_scope(principal, where)
    if kept_where is not None:
        found = kept_figures(session, sql, kept_where, group_by, group_key(sql, group_by), mine)
        if found is not None:
            return found
    return figures(session, sql, [*mine, *ended_in_period(sql, where)], group_key(sql, group_by), with_minutes)


def port_p50(session: Session, principal: Principal, sql: MeasureSql, where: StatsFilter) -> float | None:
    """The port-wide median beside an enterprise's own figures (an aggregate only); None for others."""
    if principal.role != Role.ENTERPRISE.value:
        return None
    [whole_port] = period_figures(session, sql, None, where).groups
    return whole_port["p50"]  # type: ignore[no-any-return]


def stage_times(session: Session, principal: Principal, where: StatsFilter) -> dict[str, Any]:
    """Where the time goes: the figures of each stage of the direction (`GET /api/v1/stats/stages`)."""
    groups = []
    for stage in stages(where.direction):
        sql = measure_sql(session, stage)
        [row] = period_figures(session, sql, principal, where).groups
        groups.append({**row, "key": stage.name, "en": stage.en, "zh": stage.zh, "start": list(stage.starts),
                       "end": stage.end, "port_p50": port_p50(session, principal, sql, where)})
    return {"direction": where.direction, "from": where.first_day.isoformat(), "to": where.end_day.isoformat(),
            "unit": "hours", "groups": groups}
