"""Migrations 0006 (visit_milestones) and 0009 (its current type, last event time and indexes) go down
and up again on both databases, and their upgrades fill the table from the visits already stored,
exactly as a rebuild writes them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, text

from models import VisitMilestones
from models.db import downgrade, make_engine, session_factory, upgrade
from models.operations import store_events
from tests.portal.world import world_events


def milestone_rows(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.scalars(select(VisitMilestones).order_by(VisitMilestones.container_no,
                                                                    VisitMilestones.visit_key))
            return [{c: getattr(r, c) for c in VisitMilestones.__table__.c.keys()} for r in rows]
    finally:
        engine.dispose()


def test_downgrade_to_0005_and_back_fills_the_table_from_stored_visits(database_url: str) -> None:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        store_events(session, world_events())
        session.commit()
    written = milestone_rows(database_url)
    assert len(written) == 4
    downgrade(database_url, "0005")
    assert "visit_milestones" not in set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from container_visits")).scalar() == 4
    engine.dispose()
    upgrade(database_url)
    assert milestone_rows(database_url) == written


def test_downgrade_to_0008_and_back_copies_the_current_type(database_url: str) -> None:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        store_events(session, world_events())
        session.commit()
    written = milestone_rows(database_url)
    assert {r["current_type"] for r in written} == {"CUSTOMS_RELEASED", "DISCHARGED", "GATE_IN",
                                                    "DECLARATION_ACCEPTED"}
    downgrade(database_url, "0008")
    columns = {c["name"] for c in inspect(engine).get_columns("visit_milestones")}
    assert "current_type" not in columns and "last_event_at" not in columns
    assert "ix_visit_milestones_under_way" not in {i["name"] for i in inspect(engine).get_indexes("visit_milestones")}
    engine.dispose()
    upgrade(database_url)
    assert milestone_rows(database_url) == written
