"""Reading the clearance figures from visit_milestones: functions of a Session, read-only.

Counts, means and maxima are computed by the database. Percentiles too on PostgreSQL
(`percentile_cont`); SQLite has none, so there they are interpolated the same way in Python from the
durations alone (portal.stats.figures). A visit's figure belongs to the Asia/Shanghai day its measure
ended on; `from` is inclusive, `to` exclusive.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, not_, select
from sqlalchemy.orm import Session

from models.access import Principal, visible_visits
from models.measures import Measure, stages
from models.milestones import VisitMilestones as M
from models.user import Role
from portal.stats.expressions import MeasureSql, day_start
from portal.stats.figures import open_minute, percentile_cont, rounded, share_ended

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
    return MeasureSql(measure, session.get_bind().dialect.name)


def scope(principal: Principal | None, where: StatsFilter) -> list[ColumnElement[bool]]:
    """The visits of the direction and filters that the principal sees (None: the whole port)."""
    conditions = [M.direction == where.direction]
    if principal is not None:
        conditions.append(visible_visits(principal, M))
    if where.terminal is not None:
        conditions.append(M.terminal == where.terminal)
    if where.lane is not None:
        conditions.append(M.lane == where.lane)
    if where.inspected is not None:
        conditions.append(M.inspected.is_(where.inspected))
    return conditions


def ended_in_period(sql: MeasureSql, where: StatsFilter) -> list[ColumnElement[bool]]:
    return [sql.end >= day_start(where.first_day), sql.end < day_start(where.end_day)]


def closed(sql: MeasureSql, where: StatsFilter) -> list[ColumnElement[bool]]:
    """Ended in the period, from a known start, not before it: what the figures are made of."""
    return [*ended_in_period(sql, where), sql.start_known, sql.ended_in_order]


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


def figures(session: Session, sql: MeasureSql, conditions: Sequence[ColumnElement[bool]],
            key: ColumnElement[Any] | None = None) -> list[dict[str, Any]]:
    """`{"key", "count", "mean", "p50", "p90", "max"}` (hours) per key value, keys in order, None last.
    Without a key: one group, key None, also when it counts nothing."""
    hours = sql.hours
    aggregates: list[ColumnElement[Any]] = [func.count(), func.avg(hours), func.max(hours)]
    if sql.dialect == "postgresql":
        aggregates += [func.percentile_cont(0.5).within_group(hours), func.percentile_cont(0.9).within_group(hours)]
    query = select(*aggregates).where(*conditions)
    if key is not None:
        query = query.add_columns(key).group_by(key)
    found = {_key_text(row[-1] if key is not None else None): list(row[:len(aggregates)])
             for row in session.execute(query)}
    if sql.dialect != "postgresql":
        durations = _sorted_hours(session, sql, conditions, key)
        for name, values in found.items():
            values += [percentile_cont(durations.get(name, []), 0.5), percentile_cont(durations.get(name, []), 0.9)]
    return [{"key": name, "count": count, "mean": rounded(mean), "p50": rounded(p50), "p90": rounded(p90),
             "max": rounded(longest)}
            for name, (count, mean, longest, p50, p90) in sorted(found.items(), key=_none_last)]


def _sorted_hours(session: Session, sql: MeasureSql, conditions: Sequence[ColumnElement[bool]],
                  key: ColumnElement[Any] | None) -> dict[str | None, list[float]]:
    """Only the durations (and the group key), for percentiles where the database has none."""
    by_key: dict[str | None, list[float]] = defaultdict(list)
    query = select(sql.seconds, key if key is not None else literal(None)).where(*conditions)
    for seconds, name in session.execute(query):
        by_key[_key_text(name)].append(float(seconds) / 3600.0)
    return {name: sorted(values) for name, values in by_key.items()}


def _key_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _none_last(item: tuple[str | None, object]) -> tuple[bool, str]:
    return (item[0] is None, item[0] or "")


def excluded(session: Session, sql: MeasureSql, conditions: Sequence[ColumnElement[bool]]) -> dict[str, int]:
    """Of the visits whose measure ended in the period: those whose end came before the start, and
    those with no start."""
    negative = and_(sql.start_known, not_(sql.ended_in_order))
    counts = session.execute(select(func.coalesce(func.sum(case((negative, 1), else_=0)), 0),
                                    func.coalesce(func.sum(case((not_(sql.start_known), 1), else_=0)), 0))
                             .where(*conditions)).one()
    return {"negative_interval": int(counts[0]), "missing_start": int(counts[1])}


def ended_minutes(session: Session, sql: MeasureSql, conditions: Sequence[ColumnElement[bool]]) -> dict[int, int]:
    """How many visits ended in each started minute of their measure (59 min 1 s counts as 60)."""
    if sql.dialect == "postgresql":
        minute: ColumnElement[Any] = func.ceil(sql.seconds / 60)
    else:  # no ceil in SQLite; julianday arithmetic is rounded to the millisecond first
        exact = func.round(sql.seconds, 3) / 60.0
        minute = case((exact > cast(exact, Integer), cast(exact, Integer) + 1), else_=cast(exact, Integer))
    rows = session.execute(select(minute, func.count()).where(*conditions).group_by(minute))
    return {int(m): n for m, n in rows}


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
    groups = figures(session, sql, [*mine, *closed(sql, where)], group_key(sql, group_by))
    censored = open_minutes(session, sql, [*mine, *opened(sql, where)], now)
    ended = ended_minutes(session, sql, [*mine, *closed(sql, where)])
    shares = share_ended(ended, censored, [round(h * 60) for h in within_hours])
    return {
        "measure": measure.name, "direction": where.direction, "from": where.first_day.isoformat(),
        "to": where.end_day.isoformat(), "unit": "hours", "groups": groups,
        "open": sum(censored.values()), "excluded": excluded(session, sql, [*mine, *ended_in_period(sql, where)]),
        "survival": [{"hours": h, "share_ended": rounded(s)} for h, s in zip(within_hours, shares)],
        "port_p50": port_p50(session, principal, sql, where),
    }


def port_p50(session: Session, principal: Principal, sql: MeasureSql, where: StatsFilter) -> float | None:
    """The port-wide median beside an enterprise's own figures (an aggregate only); None for others."""
    if principal.role != Role.ENTERPRISE.value:
        return None
    [whole_port] = figures(session, sql, [*scope(None, where), *closed(sql, where)])
    return whole_port["p50"]  # type: ignore[no-any-return]


def stage_times(session: Session, principal: Principal, where: StatsFilter) -> dict[str, Any]:
    """Where the time goes: the figures of each stage of the direction (`GET /api/v1/stats/stages`)."""
    groups = []
    for stage in stages(where.direction):
        sql = measure_sql(session, stage)
        [row] = figures(session, sql, [*scope(principal, where), *closed(sql, where)])
        groups.append({**row, "key": stage.name, "en": stage.en, "zh": stage.zh, "start": list(stage.starts),
                       "end": stage.end, "port_p50": port_p50(session, principal, sql, where)})
    return {"direction": where.direction, "from": where.first_day.isoformat(), "to": where.end_day.isoformat(),
            "unit": "hours", "groups": groups}
