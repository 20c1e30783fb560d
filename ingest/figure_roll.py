"""The figure roller: it keeps the figures and time-limit steps of days gone by per day (models.figure_days,
models.step_days), so that a period's figures and compliance read a few rows a day instead of every
visit (portal.stats.kept, models.compliance).

A day is rolled once it is over (Asia/Shanghai) by more than GRACE: the longest a rebuild's transaction
could still be writing it without its mark being seen. Days a rebuild marked since are rolled again.
Newest days first, up to KEEP_DAYS back, within a time budget per call: it runs in the overdue watcher's
process (`clearance alerts`), between its passes, and must not delay them. Each day is its own
transaction; several rollers may run (roll_day takes the day's row first).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.figure_days import FigureDay, FigureDirtyDay, roll_day, shanghai_day
from models.step_days import roll_steps

log = logging.getLogger(__name__)

KEEP_DAYS = 400  # a year of figures and then some; older days are read live
GRACE = timedelta(minutes=10)


def due_days(session: Session, now: datetime, keep_days: int = KEEP_DAYS) -> list[date]:
    """The days to roll, newest first: those over by GRACE within keep_days, never rolled or marked since."""
    last = shanghai_day(now - GRACE) - timedelta(days=1)
    first = last - timedelta(days=keep_days - 1)
    window = {first + timedelta(days=n) for n in range(keep_days)}
    rolled = set(session.scalars(select(FigureDay.day).where(FigureDay.day >= first, FigureDay.day <= last)))
    dirty = set(session.scalars(select(FigureDirtyDay.day).where(FigureDirtyDay.day >= first,
                                                                 FigureDirtyDay.day <= last)))
    return sorted((window - rolled) | dirty, reverse=True)


def keep_day(session: Session, day: date, now: datetime) -> None:
    """Keep one day's figures and time-limit steps afresh (the caller commits)."""
    roll_day(session, day, now)
    roll_steps(session, day)


class FigureRoller:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 keep_days: int = KEEP_DAYS) -> None:
        self.sessions = sessions
        self.clock = clock
        self.keep_days = keep_days

    def step(self, budget_seconds: float) -> int:
        """Roll due days until none is left or the budget is spent (at least one day per call); returns
        how many were rolled."""
        deadline = time.monotonic() + budget_seconds
        with self.sessions() as session:
            due = due_days(session, self.clock(), self.keep_days)
        rolled = 0
        for day in due:
            with self.sessions() as session:
                keep_day(session, day, self.clock())
                session.commit()
            rolled += 1
            if time.monotonic() >= deadline:
                break
        if rolled:
            left = len(due) - rolled
            log.log(logging.INFO if left or rolled > 1 else logging.DEBUG,
                    "figures: %s day(s) kept, newest %s; %s to go", rolled, due[0], left)
        return rolled
