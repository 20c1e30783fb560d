"""The benchmarks' two states of the figures: every visit read (nothing kept), or every past day's
figures kept as the figure roller of `clearance alerts` keeps them (ingest.figure_roll)."""
from __future__ import annotations

import time
from datetime import datetime

import support  # noqa: F401 - puts the project on sys.path

from ingest.figure_roll import FigureRoller
from models.db import make_engine, session_factory, upgrade


def forget_kept_days(url: str) -> None:
    """Back to reading every visit: no day kept (the tables made first if the schema predates them)."""
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE figure_day_values, step_day_values, figure_days, figure_dirty_days")
    engine.dispose()


def keep_days(url: str, days: int, now: datetime) -> float:
    """Keep every past day's figures, `days` back from yesterday; returns the seconds it took."""
    engine = make_engine(url)
    started = time.perf_counter()
    kept = FigureRoller(session_factory(engine), lambda: now, keep_days=days).step(float("inf"))
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE figure_day_values")
        connection.exec_driver_sql("ANALYZE step_day_values")
    engine.dispose()
    print(f"kept {kept} days in {seconds:.1f} s", flush=True)
    return seconds
