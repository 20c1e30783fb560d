"""visit_milestones: written by every rebuild from the visit state, order-insensitive, on both databases."""
from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from models import VisitMilestones
from models.milestones import MILESTONE_COLUMNS, VisitFacts, lane_of
from models.operations import store_events
from tests.support.factories import CONTAINER, OTHER_CONTAINER, declaration, event, vessel

Sessions = sessionmaker[Session]
CUSTOMS = {"source": "CUSTOMS", "publisher": "4201"}
IMPORT = {"direction": "IMPORT", "voyage": "031W"}


def store(sessions: Sessions, *events: ClearanceEvent) -> dict[str, int]:
    with sessions() as session:
        changed = store_events(session, list(events)).changed_containers
        session.commit()
    return changed


def milestones(sessions: Sessions, container_no: str = CONTAINER) -> list[dict[str, Any]]:
    with sessions() as session:
        rows = session.scalars(select(VisitMilestones).where(VisitMilestones.container_no == container_no)
                               .order_by(VisitMilestones.visit_key))
        return [{c: getattr(r, c) for c in VisitMilestones.__table__.c.keys()} for r in rows]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


GATE_IN = event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00", detail={"size_type": "22G1"})
ARRIVAL = event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00")
ACCEPTED = declaration("DECLARATION_ACCEPTED", "d1", "2026-11-20T08:30:00+08:00", containers=[CONTAINER],
                       customs_code="L")
RELEASE = event("CUSTOMS_RELEASED", "r1", "2026-11-20T09:00:00+08:00", customs_code="P", **CUSTOMS)
LOADED = event("LOADED", "l1", "2026-11-21T06:00:00+08:00")
EXPORT_VISIT = [GATE_IN, ARRIVAL, ACCEPTED, RELEASE, LOADED,
                vessel("VESSEL_DEPARTED", "v1", "2026-11-21T09:00:00+08:00"),
                vessel("VESSEL_DEPARTED", "v0", "2026-11-21T08:00:00+08:00", classifier="ESTIMATED")]


EXPECTED_EXPORT = {
    "visit_key": "EXPORT/9074729/024E", "direction": "EXPORT", "terminal": "YTCT", "size": 20, "lane": "normal",
    "gate_in_at": utc("2026-11-20T08:00:00+08:00"), "arrival_reported_at": utc("2026-11-20T08:05:00+08:00"),
    "declaration_accepted_at": utc("2026-11-20T08:30:00+08:00"),
    "customs_released_at": utc("2026-11-20T09:00:00+08:00"), "loaded_at": utc("2026-11-21T06:00:00+08:00"),
    "vessel_departed_at": utc("2026-11-21T09:00:00+08:00"),  # the earlier estimate does not count
    "discharged_at": None, "vessel_arrived_at": None, "gate_out_at": None,
    "inspected": False, "abnormal_inspection": False, "held": False, "active_holds": 0,
    "current_type": "VESSEL_DEPARTED", "last_event_at": utc("2026-11-21T09:00:00+08:00"),  # as container_visits
}


def test_rebuild_writes_first_actual_times_and_flags(sessions: Sessions) -> None:
    store(sessions, *EXPORT_VISIT)
    [row] = milestones(sessions)
    assert {k: row[k] for k in EXPECTED_EXPORT} == EXPECTED_EXPORT


def test_same_row_whatever_the_order_and_duplicates(sessions: Sessions) -> None:
    shuffled = EXPORT_VISIT + EXPORT_VISIT[:4]
    random.Random(7).shuffle(shuffled)
    for one in shuffled:
        store(sessions, one)
    [row] = milestones(sessions)
    assert {k: row[k] for k in EXPECTED_EXPORT} == EXPECTED_EXPORT


def test_correction_moves_the_release_and_a_retraction_falls_back(sessions: Sessions) -> None:
    second = event("CUSTOMS_RELEASED", "r2", "2026-11-20T11:00:00+08:00", customs_code="P", **CUSTOMS)
    store(sessions, *EXPORT_VISIT, second)
    assert milestones(sessions)[0]["customs_released_at"] == utc("2026-11-20T09:00:00+08:00")
    corrected = event("CUSTOMS_RELEASED", "r1", "2026-11-20T10:00:00+08:00", customs_code="P",
                      updated_at="2026-11-20T10:01:00+08:00", **CUSTOMS)
    assert store(sessions, corrected) == {CONTAINER: 2}
    assert milestones(sessions)[0]["customs_released_at"] == utc("2026-11-20T10:00:00+08:00")
    store(sessions, event("CUSTOMS_RELEASED", "r1-x", "2026-11-20T12:00:00+08:00", retracts="r1", **CUSTOMS))
    assert milestones(sessions)[0]["customs_released_at"] == utc("2026-11-20T11:00:00+08:00")


def test_rows_follow_the_visits_when_a_visit_disappears(sessions: Sessions) -> None:
    back = event("DISCHARGED", "i1", "2026-11-25T08:00:00+08:00", **IMPORT)
    store(sessions, GATE_IN, back)
    assert [r["visit_key"] for r in milestones(sessions)] == ["EXPORT/9074729/024E", "IMPORT/9074729/031W"]
    store(sessions, event("DISCHARGED", "i1-x", "2026-11-25T09:00:00+08:00", retracts="i1", **IMPORT))
    assert [r["visit_key"] for r in milestones(sessions)] == ["EXPORT/9074729/024E"]


def test_inspection_hold_and_size_flags(sessions: Sessions) -> None:
    store(sessions, event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00", detail={"size_type": "L5G1"}),
          event("HOLD_PLACED", "h1", "2026-11-20T08:10:00+08:00", customs_code="12", **CUSTOMS),
          event("INSPECTION_ORDERED", "o1", "2026-11-20T08:20:00+08:00", customs_code="C", **CUSTOMS),
          event("REPOSITIONED", "p1", "2026-11-20T08:45:00+08:00"),
          event("INSPECTION_COMPLETED", "c1", "2026-11-20T10:00:00+08:00", detail={"result": "ABNORMAL"},
                **CUSTOMS))
    [row] = milestones(sessions)
    assert (row["size"], row["inspected"], row["abnormal_inspection"]) == (45, True, True)
    assert (row["held"], row["active_holds"]) == (True, 1)
    assert row["repositioned_at"] == utc("2026-11-20T08:45:00+08:00")
    store(sessions, event("HOLD_RELEASED", "h2", "2026-11-20T11:00:00+08:00", customs_code="12", **CUSTOMS))
    [row] = milestones(sessions)
    assert (row["held"], row["active_holds"]) == (True, 0)


def import_visit(accepted_at: str = "2026-11-25T12:00:00+08:00", code: str = "L",
                 released_at: str = "2026-11-25T14:00:00+08:00",
                 gate_out_at: str = "2026-11-26T12:00:00+08:00") -> list[ClearanceEvent]:
    return [vessel("VESSEL_ARRIVED", "va", "2026-11-25T06:00:00+08:00", **IMPORT),
            event("DISCHARGED", "i1", "2026-11-25T08:00:00+08:00", **IMPORT),
            declaration("DECLARATION_ACCEPTED", "d2", accepted_at, containers=[CONTAINER], customs_code=code,
                        direction="IMPORT"),
            declaration("CUSTOMS_RELEASED", "r2", released_at, containers=[CONTAINER],
                        customs_code="SpK" if code.startswith("Sp") else "P", direction="IMPORT"),
            event("GATE_OUT", "o1", gate_out_at, **IMPORT)]


EARLY_ACCEPTED = declaration("DECLARATION_ACCEPTED", "d1", "2026-11-20T07:59:00+08:00", containers=[CONTAINER],
                             customs_code="L")


@pytest.mark.parametrize("events, lane", [
    (import_visit(), "normal"),
    (import_visit(accepted_at="2026-11-24T12:00:00+08:00"), "advance_declaration"),
    (import_visit(accepted_at="2026-11-24T12:00:00+08:00", code="SpL"), "two_step"),
    (import_visit(released_at="2026-11-25T07:00:00+08:00", gate_out_at="2026-11-25T09:00:00+08:00"),
     "direct_pickup"),
    (import_visit(released_at="2026-11-25T07:00:00+08:00", gate_out_at="2026-11-25T09:01:00+08:00"), "normal"),
    ([GATE_IN, event("LOADED", "l1", "2026-11-20T10:59:00+08:00")], "direct_loading"),
    ([GATE_IN, event("LOADED", "l1", "2026-11-20T11:01:00+08:00")], "normal"),
    ([EARLY_ACCEPTED, GATE_IN], "advance_declaration"),
    ([EARLY_ACCEPTED], "advance_declaration"),  # accepted, not in yet: before gate-in so far
    ([GATE_IN, ACCEPTED], "normal"),
])
def test_lane_of_each_visit(sessions: Sessions, events: list[ClearanceEvent], lane: str) -> None:
    store(sessions, *events)
    [row] = milestones(sessions)
    assert row["lane"] == lane


def test_lane_rules_read_only_their_direction() -> None:
    at = utc("2026-11-20T08:00:00+08:00")
    quick = {"GATE_IN": at, "LOADED": at, "DISCHARGED": at, "GATE_OUT": at}
    assert lane_of(VisitFacts("EXPORT", quick, frozenset({"SpL"}))) == "direct_loading"
    assert lane_of(VisitFacts("IMPORT", quick, frozenset())) == "direct_pickup"
    assert set(MILESTONE_COLUMNS.values()) >= {"VESSEL_ARRIVED", "DISCHARGED", "DECLARATION_ACCEPTED",
                                               "ARRIVAL_REPORTED", "GATE_IN", "CUSTOMS_RELEASED", "LOADED",
                                               "GATE_OUT", "VESSEL_DEPARTED", "INSPECTION_ORDERED",
                                               "REPOSITIONED", "INSPECTION_COMPLETED"}
