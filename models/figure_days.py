"""The figures of days gone by, kept per day: for every measure (models.measures), Asia/Shanghai day its
measure ended on, and group of the dimensions the port's figures filter and group on (direction,
terminal, lane, inspected), the closed visits' durations in order, and the visits left out.

A period's figures then read a few hundred short rows per day instead of every visit of the period
(portal.stats.rolled), and stay exact: percentiles come from the durations themselves, merged.

Three tables:
- `figure_day_values`: the rows of one day, written whole by `roll_day` (models are rolled by the
  figure roller, ingest.figure_roll);
- `figure_days`: the days rolled, and when;
- `figure_dirty_days`: days whose figures changed since they were rolled. Every rebuild marks, in its
  own transaction, the days of the measures its new milestones change (`touched_days`), today's too.
  `roll_day` removes a day's mark before it reads the day, so a rebuild it did not see leaves its mark
  behind, and that day is read from `visit_milestones` until it is rolled again.

A day is kept (`kept_days`) when it is rolled and not marked; any other day of a period is read live.
"""
from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, Index, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from events.vocabulary import Direction
from models.base import Base, UTCDateTime
from models.dialect import dialect_insert
from models.measure_sql import SHANGHAI, MeasureSql, day_start, milestone
from models.measures import MEASURES, Measure


class FigureDayValues(Base):
    __tablename__ = "figure_day_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # models.measures.Kind
    measure: Mapped[str] = mapped_column(String(24))
    direction: Mapped[str] = mapped_column(String(8))
    terminal: Mapped[str | None] = mapped_column(String(16))
    lane: Mapped[str] = mapped_column(String(24))
    inspected: Mapped[bool] = mapped_column(Boolean)
    closed: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)  # ended before they started: left out
    missing: Mapped[int] = mapped_column(Integer)  # no start known: left out
    # the closed visits' durations in seconds, ascending, as little-endian IEEE doubles (`packed`)
    seconds: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_figure_day_values_measure", "kind", "measure", "direction", "day"),)


class FigureDay(Base):
    __tablename__ = "figure_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FigureDirtyDay(Base):
    __tablename__ = "figure_dirty_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


DIMENSIONS = ("terminal", "lane", "inspected")


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _signature(measure: Measure, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a measure's figure of one visit depends on."""
    return (*(row[name] for name in measure.starts), row[measure.end], *(row[name] for name in DIMENSIONS))


def touched_days(old_rows: Iterable[Mapping[str, Any]], new_rows: Iterable[Mapping[str, Any]]) -> set[date]:
    """The days whose figures a rebuild changes: for each visit (old and new milestone rows, paired by
    visit) and measure of its direction whose start, end or dimensions differ, the days of the old and
    the new end."""
    days: set[date] = set()
    for before, after in paired(old_rows, new_rows):
        for row, other in ((before, after), (after, before)):
            if row is None:
                continue
            for measure in _BY_DIRECTION[row["direction"]]:
                end = row[measure.end]
                if end is not None and (other is None or other["direction"] != row["direction"]
                                        or _signature(measure, row) != _signature(measure, other)):
                    days.add(shanghai_day(end))
    return days


def paired(old_rows: Iterable[Mapping[str, Any]], new_rows: Iterable[Mapping[str, Any]]
           ) -> Iterator[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """(old, new) milestone rows of each visit a rebuild replaced or wrote (None: no such row)."""
    old = {(r["container_no"], r["visit_key"]): r for r in old_rows}
    new = {(r["container_no"], r["visit_key"]): r for r in new_rows}
    for key in old.keys() | new.keys():
        yield old.get(key), new.get(key)


_BY_DIRECTION = {direction.value: [m for m in MEASURES if m.direction is direction] for direction in Direction}


# what touched_days reads of the rows a rebuild deletes
SIGNATURE_COLUMNS = tuple(dict.fromkeys(
    ("container_no", "visit_key", "direction", *DIMENSIONS,
     *(name for m in MEASURES for name in (*m.starts, m.end)))))


def mark_dirty(session: Session, days: Iterable[date]) -> None:
    """Mark days as changed since they were rolled (nothing waits: an existing mark is left as it is)."""
    rows = [{"day": day} for day in sorted(set(days))]
    if rows:
        session.execute(dialect_insert(session, FigureDirtyDay.__table__)
                        .on_conflict_do_nothing(index_elements=["day"]), rows)


def roll_day(session: Session, day: date, now: datetime) -> None:
    """Write the figures of one day afresh (the caller commits). Safe with several rollers: the first
    statement takes the day's row, the second waits for it."""
    registry = dialect_insert(session, FigureDay.__table__)
    session.execute(registry.values(day=day, rolled_at=now).on_conflict_do_update(
        index_elements=["day"], set_={"rolled_at": now}))
    session.execute(delete(FigureDirtyDay).where(FigureDirtyDay.day == day))
    session.execute(delete(FigureDayValues).where(FigureDayValues.day == day))
    rows = [row for measure in MEASURES for row in _day_rows(session, measure, day)]
    if rows:
        session.execute(insert(FigureDayValues), rows)


def _day_rows(session: Session, measure: Measure, day: date) -> list[dict[str, Any]]:
    sql = MeasureSql(measure, session.get_bind().dialect.name)
    query = (select(milestone("terminal"), milestone("lane"), milestone("inspected"), sql.seconds)
             .where(milestone("direction") == measure.direction.value, sql.end >= day_start(day),
                    sql.end < day_start(day + timedelta(days=1))))
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [[], 0, 0])
    for terminal, lane, inspected, seconds in session.execute(query):
        group = groups[(terminal, lane, bool(inspected))]
        if seconds is None:
            group[2] += 1
        elif seconds < 0:
            group[1] += 1
        else:
            group[0].append(float(seconds))
    return [{"day": day, "kind": measure.kind.value, "measure": measure.name, "direction": measure.direction.value,
             "terminal": terminal, "lane": lane, "inspected": inspected, "closed": len(closed),
             "negative": negative, "missing": missing, "seconds": packed(sorted(closed))}
            for (terminal, lane, inspected), (closed, negative, missing) in groups.items()]


def kept_days(session: Session, first_day: date, end_day: date) -> set[date]:
    """The days of [first_day, end_day) whose figures are kept and unchanged since."""
    rolled = select(FigureDay.day).where(FigureDay.day >= first_day, FigureDay.day < end_day)
    dirty = select(FigureDirtyDay.day).where(FigureDirtyDay.day >= first_day, FigureDirtyDay.day < end_day)
    return set(session.scalars(rolled)) - set(session.scalars(dirty))


def days_not_kept(first_day: date, end_day: date, kept: set[date]) -> list[tuple[date, date]]:
    """The days of [first_day, end_day) not kept, as ranges [a, b)."""
    ranges: list[tuple[date, date]] = []
    day = first_day
    while day < end_day:
        if day in kept:
            day += timedelta(days=1)
            continue
        start = day
        while day < end_day and day not in kept:
            day += timedelta(days=1)
        ranges.append((start, day))
    return ranges


def packed(ordered: list[float]) -> bytes:
    values = array("d", ordered)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def durations(blob: bytes) -> array[float]:
    """The durations `packed` wrote."""
    values = array("d")
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values
