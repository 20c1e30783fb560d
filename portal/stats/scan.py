"""One pass over the visits whose measure ended in a period: the figures of each group, how many were
left out, and (for the Kaplan–Meier curve) how many ended in each minute.

The rows are read once into a materialized CTE, then aggregated twice from it: per group, and per
minute. Counts, means and maxima come from the database, percentiles too on PostgreSQL
(`percentile_cont`); SQLite has none, so there they are interpolated the same way in Python from the
durations alone (portal.stats.figures). Reading the rows once instead of twice took about 40 % off a
30-day figure on 1,000,000 visits (BENCHMARKS.md).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (ColumnElement, Float, Integer, String, case, cast, func, literal, null, select,
                        union_all)
from sqlalchemy.orm import Session

from models.measure_sql import MeasureSql
from portal.stats.figures import percentile_cont, rounded

GROUP, MINUTE = "g", "m"


@dataclass(frozen=True)
class Figures:
    groups: list[dict[str, Any]]  # {"key", "count", "mean", "p50", "p90", "max"} (hours) of the closed visits
    excluded: dict[str, int]  # {"negative_interval", "missing_start"}
    ended_minutes: dict[int, int] = field(default_factory=dict)  # started minute -> closed visits
    # or the closed visits' durations in seconds, as sorted runs (one per group: portal.stats.kept)
    ended_seconds: list[list[float]] | None = None


def figures(session: Session, sql: MeasureSql, ended: Sequence[ColumnElement[bool]],
            key: ColumnElement[Any] | None = None, with_minutes: bool = False) -> Figures:
    """Over the visits selected by `ended` (their measure ended in the period): the figures of the closed
    ones per key value (keys in order, None last; without a key one group, key None, also when it counts
    nothing), how many were left out, and with `with_minutes` how many closed ones ended in each minute."""
    if key is not None and sql.dialect == "postgresql" and isinstance(key.type, String):
        key = key.collate("C")  # grouping sorts by it: byte order is cheaper, and the groups are sorted after
    # Two columns are enough: the duration is NULL where the start is unknown and negative where the end
    # came first (never where that means no time: it is 0 there), so it tells closed from excluded.
    rows = (select((key if key is not None else literal(None)).label("k"), sql.seconds.label("s"))
            .where(*ended).cte("ended").prefix_with("MATERIALIZED"))
    seconds = cast(rows.c.s, Float)  # hours are taken after aggregating: one division per group
    closed = seconds >= 0
    aggregates: list[Any] = [literal(GROUP), rows.c.k if key is not None else null(), null(),
                             func.count().filter(closed), func.avg(seconds).filter(closed) / 3600.0,
                             func.max(seconds).filter(closed) / 3600.0, func.count().filter(seconds < 0),
                             func.count().filter(seconds.is_(None))]
    if sql.dialect == "postgresql":
        aggregates += [func.percentile_cont(f).within_group(seconds).filter(closed) / 3600.0 for f in (0.5, 0.9)]
    per_group = select(*aggregates).select_from(rows)  # without a key: one row, even when nothing ended
    parts = [per_group.group_by(rows.c.k) if key is not None else per_group]
    if with_minutes:
        minute = _started_minute(sql.dialect, rows.c.s)
        parts.append(select(literal(MINUTE), null(), minute, func.count(), *[null()] * (len(aggregates) - 4))
                     .where(closed).group_by(minute))
    found: dict[str | None, list[Any]] = {}
    minutes: dict[int, int] = {}
    for kind, name, at_minute, *values in session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        if kind == MINUTE:
            minutes[int(at_minute)] = values[0]
        else:
            found[key_text(name)] = values
    if sql.dialect != "postgresql":
        _interpolate(session, sql, ended, key, found)
    return Figures(groups_of(found, key is None), excluded_of(found), minutes)


def _started_minute(dialect: str, seconds: Any) -> ColumnElement[Any]:
    """The started minute a duration ends in (59 min 1 s: 60)."""
    if dialect == "postgresql":
        return func.ceil(seconds / 60)
    exact = func.round(seconds, 3) / 60.0  # no ceil in SQLite; julianday arithmetic is rounded first
    return case((exact > cast(exact, Integer), cast(exact, Integer) + 1), else_=cast(exact, Integer))


def _interpolate(session: Session, sql: MeasureSql, ended: Sequence[ColumnElement[bool]],
                 key: ColumnElement[Any] | None, found: dict[str | None, list[Any]]) -> None:
    """Add P50 and P90 to each group's values, from its sorted durations (databases without percentiles)."""
    by_key: dict[str | None, list[float]] = defaultdict(list)
    query = select(sql.seconds, key if key is not None else literal(None)).where(
        *ended, sql.start_known, sql.ended_in_order)
    for seconds, name in session.execute(query):
        by_key[key_text(name)].append(float(seconds) / 3600.0)
    for name, values in found.items():
        ordered = sorted(by_key.get(name, []))
        values += [percentile_cont(ordered, 0.5), percentile_cont(ordered, 0.9)]


def groups_of(found: dict[str | None, list[Any]], single: bool) -> list[dict[str, Any]]:
    return [{"key": name, "count": count, "mean": rounded(mean), "p50": rounded(p50), "p90": rounded(p90),
             "max": rounded(longest)}
            for name, (count, mean, longest, _negative, _missing, p50, p90) in sorted(found.items(), key=_none_last)
            if count or single]


def excluded_of(found: dict[str | None, list[Any]]) -> dict[str, int]:
    return {"negative_interval": sum(v[3] for v in found.values()),
            "missing_start": sum(v[4] for v in found.values())}


def key_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def _none_last(item: tuple[str | None, object]) -> tuple[bool, str]:
    return (item[0] is None, item[0] or "")
