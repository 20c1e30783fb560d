"""GET /api/v1/containers and /api/v1/containers/<no>: filters, paging, order, errors, the detail view."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, A2, B1
from tests.support.factories import event

pytestmark = pytest.mark.usefixtures("world")


def listed(client: FlaskClient, person: Person, **query: object) -> dict:
    response = client.get("/api/v1/containers", query_string=query, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_newest_activity_first(client: FlaskClient, people: dict[str, Person]) -> None:
    rows = listed(client, people["port_office"])["items"]
    assert [(r["container_no"], r["direction"]) for r in rows] == [
        (A1, "IMPORT"), (B1, "IMPORT"), (A2, "EXPORT"), (A1, "EXPORT")]
    assert [r["last_event_at"] for r in rows] == sorted((r["last_event_at"] for r in rows), reverse=True)


def test_pages(client: FlaskClient, people: dict[str, Person]) -> None:
    first = listed(client, people["port_office"], per_page=3)
    second = listed(client, people["port_office"], per_page=3, page=2)
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (4, 1, 3, 3)
    assert (second["total"], len(second["items"])) == (4, 1)
    assert listed(client, people["port_office"], per_page=3, page=3)["items"] == []


@pytest.mark.parametrize("query", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"stage": "LUNCH"},
                                   {"direction": "SIDEWAYS"}, {"q": "%"}, {"q": "A" * 60}, {"page": "two"}])
def test_bad_arguments_are_refused_with_a_message(client: FlaskClient, people: dict[str, Person],
                                                 query: dict) -> None:
    response = client.get("/api/v1/containers", query_string=query, headers=people["port_office"].headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_arguments"
    assert next(iter(query)) in body["message"] and next(iter(query)) in body["details"]["query"]


@pytest.mark.parametrize("stage, expected", [
    ("RELEASE", {(A1, "EXPORT")}),  # current CUSTOMS_RELEASED
    ("ARRIVAL", {(A2, "EXPORT")}),  # current GATE_IN
    ("VESSEL_AND_YARD", {(A1, "IMPORT")}),  # current DISCHARGED
    ("DECLARATION", {(B1, "IMPORT")}),  # current DECLARATION_ACCEPTED
    ("GATE_IN", {(A2, "EXPORT")}),  # an event type name: exactly that current type
    ("INSPECTION", set()),
])
def test_stage_filters_on_the_current_type(client: FlaskClient, people: dict[str, Person], stage: str,
                                           expected: set) -> None:
    rows = listed(client, people["port_office"], stage=stage)["items"]
    assert {(r["container_no"], r["direction"]) for r in rows} == expected
    assert all(r["current"]["stage"] == stage or r["current"]["type"] == stage for r in rows)


def test_direction_and_search_combine(client: FlaskClient, people: dict[str, Person]) -> None:
    rows = listed(client, people["port_office"], direction="IMPORT", q=A1)["items"]
    assert [(r["container_no"], r["direction"]) for r in rows] == [(A1, "IMPORT")]


def test_search_treats_like_wildcards_literally(client: FlaskClient, people: dict[str, Person]) -> None:
    assert listed(client, people["port_office"], q="CICU_")["total"] == 0


def test_detail_of_a_container(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.get(f"/api/v1/containers/{A1.lower()}", headers=people["enterprise_a"].headers)
    assert response.status_code == 200
    body = response.get_json()
    [visit] = body["visits"]
    assert body["container_no"] == A1 and body["version"] >= 1
    assert visit["direction"] == "EXPORT" and visit["declaration_nos"] == ["420120260000000123"]
    assert visit["next"]["type"] == "LOADED" and visit["abnormal_inspection"] is True
    assert visit["timeline"][0]["took_seconds"] is None and visit["timeline"][1]["took_seconds"] == 1800
    assert "海关放行" in response.get_data(as_text=True)  # not \\u escapes


def test_detail_version_follows_changes(client: FlaskClient, people: dict[str, Person], db: Sessions) -> None:
    before = client.get(f"/api/v1/containers/{A2}", headers=people["port_office"].headers).get_json()
    with db() as session:
        store_events(session, [event("HOLD_PLACED", "h-a2", "2026-11-21T09:00:00+08:00", container_no=A2,
                                     source="CUSTOMS", publisher="4201", terminal="YTGD", customs_code="13")])
        session.commit()
    after = client.get(f"/api/v1/containers/{A2}", headers=people["port_office"].headers).get_json()
    assert after["version"] == before["version"] + 1
    assert [h["type"] for h in after["visits"][0]["holds"]] == ["HOLD_PLACED"]
    assert listed(client, people["port_office"], q=A2)["items"][0]["holds"] == 1


@pytest.mark.parametrize("container_no", ["CICU3789923", "NOTACONTAINER", "CICU37899"])
def test_malformed_container_numbers_are_a_bad_request(client: FlaskClient, people: dict[str, Person],
                                                      container_no: str) -> None:
    response = client.get(f"/api/v1/containers/{container_no}", headers=people["port_office"].headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert container_no in response.get_json()["message"]


def test_unknown_api_path_is_json_404(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.get("/api/v1/nothing-here", headers=people["port_office"].headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.delete(f"/api/v1/containers/{A1}", headers=people["port_office"].headers)
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"
