"""Storing events: idempotence, versions, retractions, fan-out and flags, on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from models import Container, StoredEvent
from models.operations import container_visits, store_events
from tests.support.factories import CONTAINER, OTHER_CONTAINER, declaration, event, vessel

Sessions = sessionmaker[Session]


def store(sessions: Sessions, *events: ClearanceEvent) -> dict[str, int]:
    with sessions() as session:
        result = store_events(session, list(events))
        session.commit()
    return result.changed_containers


def visits(sessions: Sessions, container_no: str = CONTAINER) -> list[dict]:
    with sessions() as session:
        return container_visits(session, container_no)


def timeline_ids(sessions: Sessions, container_no: str = CONTAINER) -> list[str]:
    return [e["event_id"] for v in visits(sessions, container_no) for e in v["timeline"]]


GATE_IN = event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00")
ARRIVAL = event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00")
RELEASE = event("CUSTOMS_RELEASED", "r1", "2026-11-20T09:00:00+08:00", source="CUSTOMS", publisher="4201")


def test_same_event_twice_changes_nothing(sessions: Sessions) -> None:
    assert store(sessions, GATE_IN) == {CONTAINER: 1}
    assert store(sessions, GATE_IN) == {}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(StoredEvent)) == 1
        assert session.get(Container, CONTAINER).version == 1  # type: ignore[union-attr]


def test_timeline_in_occurred_order_whatever_the_arrival(sessions: Sessions) -> None:
    store(sessions, RELEASE)
    store(sessions, ARRIVAL, GATE_IN)
    [visit] = visits(sessions)
    assert [e["type"] for e in visit["timeline"]] == ["GATE_IN", "ARRIVAL_REPORTED", "CUSTOMS_RELEASED"]
    assert visit["current"]["type"] == "CUSTOMS_RELEASED"
    assert visit["flags"] == []


def test_newer_version_replaces_older_and_older_arriving_late_changes_nothing(sessions: Sessions) -> None:
    corrected = event("GATE_IN", "g1", "2026-11-20T07:30:00+08:00", updated_at="2026-11-20T10:00:00+08:00")
    store(sessions, corrected)
    assert store(sessions, GATE_IN) == {}
    [visit] = visits(sessions)
    assert visit["timeline"][0]["occurred_at"] == "2026-11-19T23:30:00Z"


def test_retraction_before_the_event_it_withdraws(sessions: Sessions) -> None:
    loaded = event("LOADED", "l1", "2026-11-20T12:00:00+08:00")
    retraction = event("LOADED", "l1-x", "2026-11-20T12:10:00+08:00", retracts="l1")
    store(sessions, GATE_IN, retraction)
    store(sessions, loaded)
    assert timeline_ids(sessions) == ["g1"]


def test_retraction_after_the_event_removes_it(sessions: Sessions) -> None:
    loaded = event("LOADED", "l1", "2026-11-20T12:00:00+08:00")
    store(sessions, GATE_IN, loaded)
    assert timeline_ids(sessions) == ["g1", "l1"]
    assert store(sessions, event("LOADED", "l1-x", "2026-11-20T12:10:00+08:00", retracts="l1"))
    assert timeline_ids(sessions) == ["g1"]


def test_declaration_event_reaches_every_container_it_covers(sessions: Sessions) -> None:
    accepted = declaration("DECLARATION_ACCEPTED", "d1", "2026-11-20T07:00:00+08:00",
                           containers=[CONTAINER, OTHER_CONTAINER], customs_code="L")
    changed = store(sessions, accepted)
    assert set(changed) == {CONTAINER, OTHER_CONTAINER}
    assert timeline_ids(sessions, OTHER_CONTAINER) == ["d1"]


def test_declaration_event_without_list_reaches_containers_linked_later(sessions: Sessions) -> None:
    closed = declaration("DECLARATION_CLOSED", "d9", "2026-11-21T07:00:00+08:00", customs_code="R")
    assert store(sessions, closed) == {}
    store(sessions, event("GATE_IN", "g2", "2026-11-20T08:00:00+08:00", declaration_no=closed.declaration_no))
    assert timeline_ids(sessions) == ["g2", "d9"]


def test_vessel_event_reaches_containers_that_show_up_after_it(sessions: Sessions) -> None:
    departed = vessel("VESSEL_DEPARTED", "v1", "2026-11-21T06:00:00+08:00")
    store(sessions, departed)
    store(sessions, GATE_IN)
    store(sessions, event("GATE_IN", "g7", "2026-11-20T08:00:00+08:00", container_no=OTHER_CONTAINER))
    assert timeline_ids(sessions) == ["g1", "v1"]
    assert timeline_ids(sessions, OTHER_CONTAINER) == ["g7", "v1"]


def test_precedence_violation_is_flagged_not_rejected(sessions: Sessions) -> None:
    early_release = event("CUSTOMS_RELEASED", "r0", "2026-11-20T07:00:00+08:00", source="CUSTOMS",
                          publisher="4201")
    store(sessions, ARRIVAL, early_release)
    [visit] = visits(sessions)
    assert [f["code"] for f in visit["flags"]] == ["PRECEDENCE"]
    assert "CUSTOMS_RELEASED" in visit["flags"][0]["message"]


def test_hold_is_active_until_released(sessions: Sessions) -> None:
    store(sessions, event("HOLD_PLACED", "h1", "2026-11-20T08:10:00+08:00", source="CUSTOMS",
                          publisher="4201", customs_code="12"))
    assert [h["event_id"] for h in visits(sessions)[0]["holds"]] == ["h1"]
    store(sessions, event("HOLD_RELEASED", "h2", "2026-11-20T09:10:00+08:00", source="CUSTOMS",
                          publisher="4201", customs_code="12"))
    assert visits(sessions)[0]["holds"] == []


def test_two_visits_export_then_import(sessions: Sessions) -> None:
    back = event("DISCHARGED", "i1", "2026-11-25T08:00:00+08:00", direction="IMPORT", voyage="031W")
    store(sessions, GATE_IN, back)
    assert [v["visit"] for v in visits(sessions)] == ["EXPORT/9074729/024E", "IMPORT/9074729/031W"]


def test_soft_warning_is_stored_as_a_flag(sessions: Sessions) -> None:
    flagged = event("GATE_IN", "g5", "2026-11-20T08:00:00+08:00", enterprise_uscc="91370600MA3C7N8X1A")
    assert flagged.warnings
    store(sessions, flagged)
    assert [f["code"] for f in visits(sessions)[0]["flags"]] == ["WARNING"]


def test_version_increases_only_when_state_changes(sessions: Sessions) -> None:
    assert store(sessions, GATE_IN) == {CONTAINER: 1}
    assert store(sessions, ARRIVAL) == {CONTAINER: 2}
    # a retraction of something never stored changes no timeline
    assert store(sessions, event("GATE_IN", "zz", "2026-11-20T08:00:00+08:00", retracts="nothing")) == {}


def test_details_come_back_exactly_as_published(sessions: Sessions) -> None:
    """Event details are stored as JSON text written by orjson, or by json where orjson refuses
    (integers past 64 bits): either way they read back equal, on both databases."""
    detail = {"weight_kg": 21_450, "seal_no": "运抵-SITC7718230", "declared_value": 10**30, "note": "a\u2028b",
              "nested": {"ratio": 0.1, "list": [True, None, -(2**63)]}}
    with_detail = event("GATE_IN", "g-detail", "2026-11-20T08:00:00+08:00", detail=detail)
    store(sessions, with_detail)
    with sessions() as session:
        stored = session.get(StoredEvent, ("TERMINAL", "YTCT", "g-detail"))
        assert stored is not None and stored.detail == detail
    assert visits(sessions)[0]["timeline"][0]["event_id"] == "g-detail"
