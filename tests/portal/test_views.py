"""container_view / container_summary: pure functions of visit states, shared with Socket.IO."""
from __future__ import annotations

import copy

import pytest

from events.codec import ClearanceEvent
from models.access import Principal
from models.visits import effective, split_visits, visit_state
from portal.containers.schemas import ContainerSummarySchema, ContainerViewSchema
from portal.containers.views import container_summary, container_view, view_summaries
from tests.portal.world import A1, ROLES, USCC_A, USCC_B, VISIBLE, world_events
from tests.support.factories import event

PORT_OFFICE = Principal(1, "po", "port-office", None, None)
ENTERPRISE_A = Principal(2, "a", "enterprise", USCC_A, None)
PRINCIPALS = {
    "enterprise_a": ENTERPRISE_A, "enterprise_b": Principal(3, "b", "enterprise", USCC_B, None),
    "broker": Principal(4, "br", "enterprise", "91110000600037341L", None),
    "terminal_ytct": Principal(5, "t1", "terminal", None, "YTCT"),
    "terminal_ytgd": Principal(6, "t2", "terminal", None, "YTGD"), "port_office": PORT_OFFICE,
}


def view_of(visits: list[dict], principal: Principal = PORT_OFFICE) -> dict:
    view = container_view(A1, 1, visits, principal)
    assert view is not None
    return view


def states(container_no: str, events: list[ClearanceEvent] | None = None) -> list[dict]:
    """The visit states ingest would store for the container (derived directly, no database)."""
    events = events if events is not None else world_events()
    reaching = [e for e in events if e.container_no == container_no or container_no in e.containers]
    return [visit_state(container_no, v) for v in split_visits(effective(reaching, set()))]


@pytest.mark.parametrize("role", ROLES)
def test_view_keeps_only_the_visits_the_principal_sees(role: str) -> None:
    view = container_view(A1, 7, states(A1), PRINCIPALS[role])
    expected = VISIBLE[role].get(A1)
    if expected is None:
        assert view is None
    else:
        assert view is not None and view["version"] == 7 and view["container_no"] == A1
        assert {v["direction"] for v in view["visits"]} == expected


def test_a_principal_without_binding_sees_nothing() -> None:
    for odd in (Principal(9, "x", "enterprise", None, None), Principal(9, "x", "terminal", None, None),
                Principal(9, "x", "auditor", USCC_A, "YTCT")):
        assert container_view(A1, 1, states(A1), odd) is None


def test_timeline_gets_took_seconds_labels_next_and_abnormal_inspection() -> None:
    [export] = view_of(states(A1), ENTERPRISE_A)["visits"]
    took = {e["type"]: e["took_seconds"] for e in export["timeline"]}
    assert took == {"MANIFEST_ACCEPTED": None, "DECLARATION_ACCEPTED": 1800, "GATE_IN": 1800,
                    "ARRIVAL_REPORTED": 330, "INSPECTION_COMPLETED": 3270, "CUSTOMS_RELEASED": 3600}
    gate_in = next(e for e in export["timeline"] if e["type"] == "GATE_IN")
    assert (gate_in["en"], gate_in["zh"], gate_in["stage"]) == ("Gate-in", "进闸", "ARRIVAL")
    assert export["current"]["type"] == "CUSTOMS_RELEASED" and export["current"]["zh"] == "海关放行"
    assert export["pending"] == ["LOADED", "VESSEL_DEPARTED", "DECLARATION_CLOSED"]
    assert export["next"] == {"type": "LOADED", "stage": "VESSEL_AND_YARD", "en": "Loaded on board", "zh": "装船"}
    assert export["abnormal_inspection"] is True


def test_estimated_entries_have_no_took_seconds_and_do_not_shift_the_actual_ones() -> None:
    events = [e for e in world_events() if e.container_no == A1 and e.direction == "EXPORT"]
    events.append(event("LOADED", "eta-load", "2026-11-20T08:02:00+08:00", classifier="ESTIMATED"))
    [export] = view_of(states(A1, events))["visits"]
    took = [(e["type"], e["classifier"], e["took_seconds"]) for e in export["timeline"]]
    assert ("LOADED", "ESTIMATED", None) in took
    assert ("ARRIVAL_REPORTED", "ACTUAL", 330) in took  # still measured from GATE_IN


def test_no_next_when_nothing_is_pending_and_normal_inspection_is_not_abnormal() -> None:
    [state] = states(A1)[:1]
    state = {**state, "pending": [], "timeline": [
        {**state["timeline"][0], "type": "INSPECTION_COMPLETED", "detail": {"result": "NORMAL"}}]}
    [visit] = view_of([state])["visits"]
    assert visit["next"] is None and visit["abnormal_inspection"] is False


def test_views_do_not_change_their_input_and_match_their_schemas() -> None:
    given = states(A1)
    before = copy.deepcopy(given)
    view = view_of(given)
    assert given == before
    assert ContainerViewSchema().dump(view) == view  # what HTTP sends is what Socket.IO sends
    for row in view_summaries(view):
        assert ContainerSummarySchema().dump(row) == row


def test_summary_row() -> None:
    export = states(A1)[0]
    row = container_summary(A1, 4, export)
    assert row == {
        "container_no": A1, "version": 4, "visit": export["visit"], "direction": "EXPORT",
        "vessel_imo": export["vessel_imo"], "voyage": export["voyage"], "terminal": "YTCT",
        "bl_no": export["bl_no"], "declaration_nos": export["declaration_nos"],
        "current": {"type": "CUSTOMS_RELEASED", "stage": "RELEASE", "en": "Customs released", "zh": "海关放行",
                    "occurred_at": "2026-11-20T02:00:00Z"},
        "holds": 0, "flags": 0, "abnormal_inspection": True, "last_event_at": "2026-11-20T02:00:00Z",
    }
