"""Migration 0008 (publish_audit, the events' publisher index) goes down to 0007 and up again on both
databases."""
from __future__ import annotations

from sqlalchemy import inspect

from models.db import downgrade, make_engine, upgrade


def schema(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        return set(found.get_table_names()), {i["name"] for i in found.get_indexes("events")}
    finally:
        engine.dispose()


def test_publish_audit_downgrade_to_0007_and_back(database_url: str) -> None:
    tables, indexes = schema(database_url)
    assert "publish_audit" in tables and "ix_events_publisher_occurred_at" in indexes
    downgrade(database_url, "0007")
    tables, indexes = schema(database_url)
    assert "publish_audit" not in tables and "ix_events_publisher_occurred_at" not in indexes
    assert {"events", "users"} <= tables
    upgrade(database_url)
    tables, indexes = schema(database_url)
    assert "publish_audit" in tables and "ix_events_publisher_occurred_at" in indexes
