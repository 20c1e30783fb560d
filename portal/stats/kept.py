"""A period's figures from the days kept (models.figure_days) and, for the days of the period not kept
(today, days a late event changed, days never rolled), from visit_milestones: the same answer as
portal.stats.scan reading every visit, from a few hundred rows a day.

The kept rows hold each group's durations in order; a group of the answer merges its days' durations
(timsort merges sorted runs in linear time) with the live days' and takes count, mean, maximum and
percentiles from them (portal.stats.figures.percentile_cont, as PostgreSQL's `percentile_cont`).

Kept rows are per direction, terminal, lane and inspected: figures over the whole port or one terminal
(port office, terminal operators, the port-wide median beside an enterprise's) grouped and filtered on
those. Others (an enterprise's own visits, grouping by declarant) are read live.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, or_, select
from sqlalchemy.orm import Session

from models.access import Principal
from models.figure_days import FigureDayValues as V
from models.figure_days import days_not_kept, durations, kept_days
from models.measure_sql import MeasureSql, day_start
from models.user import Role
from portal.stats.figures import percentile_cont
from portal.stats.scan import Figures, excluded_of, groups_of, key_text

KEPT_GROUPS = ("none", "day", "terminal", "lane", "inspected")


def kept_scope(principal: Principal | None, where: Any) -> Any | None:
    """The filter (portal.stats.queries.StatsFilter) with the principal's scope in it, when kept rows
    can answer for it; None when they cannot."""
    if principal is None or principal.role == Role.PORT_OFFICE.value:
        return where
    if principal.role == Role.TERMINAL.value and principal.terminal and where.terminal in (None, principal.terminal):
        return replace(where, terminal=principal.terminal)
    return None


def kept_figures(session: Session, sql: MeasureSql, where: Any, group_by: str, live_key: ColumnElement[Any] | None,
                 live_scope: Sequence[ColumnElement[bool]]) -> Figures | None:
    """The figures of the measure over `where` (kept_scope's), grouped; None when no day of the period is
    kept. `live_key` and `live_scope` select and group the visits of the other days."""
    if group_by not in KEPT_GROUPS:
        return None
    kept = kept_days(session, where.first_day, where.end_day)
    if not kept:
        return None
    runs: dict[str | None, list[Sequence[float]]] = defaultdict(list)
    left_out: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for key, negative, missing, blob in session.execute(_kept_rows(sql, where, group_by, kept)):
        name = key_text(key.isoformat() if isinstance(key, date) else key)
        runs[name].append(durations(blob))
        left_out[name][0] += negative
        left_out[name][1] += missing
    live = days_not_kept(where.first_day, where.end_day, kept)
    if live:
        _add_live(session, sql, live, live_key, live_scope, runs, left_out)
    found: dict[str | None, list[Any]] = {}
    merged: list[list[float]] = []
    for name in runs.keys() | left_out.keys() | ({None} if group_by == "none" else set()):
        values = sorted(chain.from_iterable(runs.get(name, ())))
        negative, missing = left_out.get(name, (0, 0))
        found[name] = [len(values), *_mean_max(values), negative, missing,
                       *(_hours(percentile_cont(values, f)) for f in (0.5, 0.9))]
        merged.append(values)
    return Figures(groups_of(found, group_by == "none"), excluded_of(found), ended_seconds=merged)


def _add_live(session: Session, sql: MeasureSql, live: list[tuple[date, date]], live_key: ColumnElement[Any] | None,
              live_scope: Sequence[ColumnElement[bool]], runs: dict[str | None, list[Sequence[float]]],
              left_out: dict[str | None, list[int]]) -> None:
    """Add the visits whose measure ended on the days not kept: their durations as one more sorted run of
    their group, and those left out."""
    key = live_key if live_key is not None else literal(None)
    ended = or_(*(and_(sql.end >= day_start(a), sql.end < day_start(b)) for a, b in live))
    live_runs: dict[str | None, list[float]] = defaultdict(list)
    for name, seconds in session.execute(select(key, sql.seconds).where(*live_scope, ended)):
        name = key_text(name)
        if seconds is None:
            left_out[name][1] += 1
        elif seconds < 0:
            left_out[name][0] += 1
        else:
            live_runs[name].append(float(seconds))
    for name, values in live_runs.items():
        runs[name].append(sorted(values))


def _mean_max(values: list[float]) -> list[float | None]:
    """Mean and maximum of sorted durations in seconds, as hours."""
    return [_hours(sum(values) / len(values)), _hours(values[-1])] if values else [None, None]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600.0


def _kept_rows(sql: MeasureSql, where: Any, group_by: str, kept: set[date]) -> Any:
    key = {"none": literal(None), "day": V.day, "terminal": V.terminal, "lane": V.lane,
           "inspected": V.inspected}[group_by]
    measure = sql.measure
    return select(key, V.negative, V.missing, V.seconds).where(
        V.kind == measure.kind.value, V.measure == measure.name, V.direction == measure.direction.value,
        V.day.in_(sorted(kept)), *dimension_filters(V, where))


def dimension_filters(table: Any, where: Any) -> list[ColumnElement[bool]]:
    """The filter's terminal, lane and inspected flag as conditions on a table holding those columns
    (visit_milestones, or the kept rows)."""
    conditions: list[ColumnElement[bool]] = []
    if where.terminal is not None:
        conditions.append(table.terminal == where.terminal)
    if where.lane is not None:
        conditions.append(table.lane == where.lane)
    if where.inspected is not None:
        conditions.append(table.inspected.is_(where.inspected))
    return conditions
