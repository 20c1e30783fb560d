"""The time-limit steps of days gone by, kept per day beside the figures (models.figure_days): for every
step (models.time_limits.DEFAULT_STEPS, whose start and ends no rule changes), Asia/Shanghai day it
started on, direction, terminal and box size, the completed steps' durations in order and the start
times of those still open, in order.

Compliance (models.compliance) then answers for any rule's thresholds and applicability from a few rows a
day: within the limit is a binary search in the durations, and an open step counts once it is past the
limit at the time asked — the clock moves what is decided, not the kept rows. A rebuild that changes a
step's start, end, required milestones or dimensions marks the day it started (`touched_days`), in the
same table of marks as the figures, and the day is read live until the roller keeps it again.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Index, Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.figure_days import packed, paired, shanghai_day
from models.measure_sql import day_start, milestone
from models.time_limits import DEFAULT_STEPS, StepRule

STEPS: tuple[StepRule, ...] = tuple(DEFAULT_STEPS.values())
DIMENSIONS = ("direction", "terminal", "size")


class StepDayValues(Base):
    __tablename__ = "step_day_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8))
    terminal: Mapped[str | None] = mapped_column(String(16))
    size: Mapped[int | None] = mapped_column(Integer)
    completed: Mapped[bytes] = mapped_column(LargeBinary)  # seconds from start to end, ascending (packed)
    open_starts: Mapped[bytes] = mapped_column(LargeBinary)  # open steps' starts, epoch seconds, ascending

    __table_args__ = (Index("ix_step_day_values_step", "step", "day"),)


def _signature(step: StepRule, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in (step.start, *step.ends, *step.requires, *DIMENSIONS))


def _counts(step: StepRule, row: Mapping[str, Any]) -> bool:
    """Does the visit have this step: its direction, its start and every required milestone?"""
    return (step.direction in (None, row["direction"]) and row[step.start] is not None
            and all(row[name] is not None for name in step.requires))


def touched_days(old_rows: Iterable[Mapping[str, Any]], new_rows: Iterable[Mapping[str, Any]]) -> set[date]:
    """The start days of the steps a rebuild changes (old and new rows of the same visit paired)."""
    days: set[date] = set()
    for before, after in paired(old_rows, new_rows):
        for step in STEPS:
            sides = [row for row in (before, after) if row is not None and _counts(step, row)]
            if len(sides) == 1 or (len(sides) == 2 and _signature(step, sides[0]) != _signature(step, sides[1])):
                days.update(shanghai_day(row[step.start]) for row in sides)
    return days


SIGNATURE_COLUMNS = tuple(dict.fromkeys(
    ("container_no", "visit_key", *DIMENSIONS,
     *(name for step in STEPS for name in (step.start, *step.ends, *step.requires)))))


def roll_steps(session: Session, day: date) -> None:
    """Write the steps that started on `day` afresh (inside models.figure_days.roll_day's transaction)."""
    session.execute(delete(StepDayValues).where(StepDayValues.day == day))
    rows = [row for step in STEPS for row in _day_rows(session, step, day)]
    if rows:
        session.execute(insert(StepDayValues), rows)


def _day_rows(session: Session, step: StepRule, day: date) -> list[dict[str, Any]]:
    from models.compliance import seconds_between  # compliance reads this module
    from models.overdue import earliest

    dialect = session.get_bind().dialect.name
    start = milestone(step.start)
    ended = earliest([milestone(name) for name in step.ends], dialect)
    query = (select(milestone("direction"), milestone("terminal"), milestone("size"), start,
                    seconds_between(start, ended, dialect))
             .where(start >= day_start(day), start < day_start(day + timedelta(days=1)),
                    *(milestone(name).is_not(None) for name in step.requires),
                    *([milestone("direction") == step.direction] if step.direction else [])))
    groups: dict[tuple[Any, ...], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for direction, terminal, size, started, seconds in session.execute(query):
        completed, still_open = groups[(direction, terminal, size)]
        if seconds is None:
            still_open.append(started.timestamp())
        else:
            completed.append(float(seconds))
    return [{"day": day, "step": step.step, "direction": direction, "terminal": terminal, "size": size,
             "completed": packed(sorted(completed)), "open_starts": packed(sorted(still_open))}
            for (direction, terminal, size), (completed, still_open) in groups.items()]
