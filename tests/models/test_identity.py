"""An event's identity is (source, publisher, event_id): a correction or a retraction applies only to the
same publisher's own event, on SQLite and PostgreSQL (the security review: one terminal rewrote and
withdrew another's events by reusing their ids)."""
from __future__ import annotations

from sqlalchemy import func, select

from models import StoredEvent
from tests.models.test_store import Sessions, store, timeline_ids, visits
from tests.support.factories import event

GATE_IN = event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00")  # YTCT's
LATER = "2026-11-21T00:00:00+08:00"


def test_another_publishers_newer_version_is_another_event(sessions: Sessions) -> None:
    store(sessions, GATE_IN)
    rewrite = event("GATE_IN", "g1", "2026-11-20T03:00:00+08:00", publisher="YTGD", terminal="YTGD",
                    updated_at=LATER)
    store(sessions, rewrite)
    with sessions() as session:
        rows = session.execute(select(StoredEvent.publisher, StoredEvent.occurred_at)
                               .order_by(StoredEvent.publisher)).all()
    assert [(publisher, at.isoformat()) for publisher, at in rows] == [
        ("YTCT", "2026-11-20T00:00:00+00:00"), ("YTGD", "2026-11-19T19:00:00+00:00")]  # YTCT's own time kept


def test_the_same_publishers_newer_version_still_corrects(sessions: Sessions) -> None:
    store(sessions, GATE_IN)
    store(sessions, event("GATE_IN", "g1", "2026-11-20T09:00:00+08:00", updated_at=LATER))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredEvent)) == 1
    assert visits(sessions)[0]["timeline"][0]["occurred_at"] == "2026-11-20T01:00:00Z"


def test_a_retraction_withdraws_only_its_own_publishers_event(sessions: Sessions) -> None:
    store(sessions, GATE_IN)
    foreign = event("GATE_IN", "x1", "2026-11-20T10:00:00+08:00", publisher="YTGD", terminal="YTGD",
                    retracts="g1")
    store(sessions, foreign)
    assert "g1" in timeline_ids(sessions)
    own = event("GATE_IN", "x2", "2026-11-20T10:00:00+08:00", retracts="g1")
    store(sessions, own)
    assert "g1" not in timeline_ids(sessions)
