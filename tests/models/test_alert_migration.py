"""Migration 0007 (time limits and alerts) goes down and up again on both databases, seeds the default
rules, and creates the open-step index of every default step (models.overdue.OPEN_STEP_INDEXES)."""
from __future__ import annotations

from sqlalchemy import inspect, select

from models.alert_rules import AlertRule
from models.db import downgrade, make_engine, session_factory, upgrade
from models.overdue import OPEN_STEP_INDEXES
from models.time_limits import DEFAULT_RULES

ALERT_TABLES = {"alert_rules", "alert_rule_changes", "alerts"}


def schema(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return set(inspector.get_table_names()), {i["name"] for i in inspector.get_indexes("visit_milestones")}
    finally:
        engine.dispose()


def rule_keys(url: str) -> set[tuple[str, str | None, int | None, int]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return {(r.step, r.terminal, r.size, r.alarm_seconds) for r in session.scalars(select(AlertRule))}
    finally:
        engine.dispose()


def test_downgrade_to_0006_and_back(database_url: str) -> None:
    tables, indexes = schema(database_url)
    open_steps = {str(index.name) for index in OPEN_STEP_INDEXES}
    assert ALERT_TABLES <= tables and open_steps <= indexes
    downgrade(database_url, "0006")
    tables, indexes = schema(database_url)
    assert not ALERT_TABLES & tables and not open_steps & indexes and "visit_milestones" in tables
    upgrade(database_url)
    tables, indexes = schema(database_url)
    assert ALERT_TABLES <= tables and open_steps <= indexes
    assert rule_keys(database_url) == {(r.step, r.terminal, r.size, r.alarm_seconds) for r in DEFAULT_RULES}
