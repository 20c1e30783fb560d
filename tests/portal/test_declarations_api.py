"""GET /api/v1/declarations/<no>: receipts in occurred_at order without retracted events, and only the
caller's containers."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient

from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, A2, DECL_A, DECL_B, USCC_A, USCC_BROKER
from tests.support.factories import event

pytestmark = pytest.mark.usefixtures("world")
DECL_C = "420120260000000789"


def get(client: FlaskClient, person: Person, number: str) -> dict:
    response = client.get(f"/api/v1/declarations/{number}", headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_receipts_in_occurred_order(client: FlaskClient, people: dict[str, Person]) -> None:
    body = get(client, people["broker"], DECL_A)
    assert [r["event_id"] for r in body["receipts"]] == ["d-a-l", "ar-a1", "i-a1", "d-a-p"]
    first = body["receipts"][0]
    assert first == {
        "event_id": "d-a-l", "type": "DECLARATION_ACCEPTED", "stage": "DECLARATION", "en": "Declaration accepted",
        "zh": "海关入库成功", "source": "CUSTOMS", "publisher": "4201", "occurred_at": "2026-11-19T23:30:00Z",
        "classifier": "ACTUAL", "direction": "EXPORT", "customs_code": "L", "container_no": None,
        "containers": [A1], "bl_no": None, "enterprise_uscc": USCC_A, "declarant_uscc": USCC_BROKER, "detail": None}
    assert [(c["container_no"], c["direction"]) for c in body["containers"]] == [(A1, "EXPORT")]


def test_retracted_and_corrected_receipts(client: FlaskClient, people: dict[str, Person], db: Sessions) -> None:
    with db() as session:
        store_events(session, [
            event("ARRIVAL_REPORTED", "ar-a1-x", "2026-11-20T08:30:00+08:00", retracts="ar-a1",
                  declaration_no=DECL_A),
            event("INSPECTION_COMPLETED", "i-a1", "2026-11-20T07:45:00+08:00", source="CUSTOMS", publisher="4201",
                  declaration_no=DECL_A, detail={"result": "NORMAL"}, updated_at="2026-11-20T11:00:00+08:00"),
        ])
        session.commit()
    receipts = get(client, people["enterprise_a"], DECL_A)["receipts"]
    assert [r["event_id"] for r in receipts] == ["d-a-l", "i-a1", "d-a-p"]
    assert receipts[1]["detail"] == {"result": "NORMAL"}


@pytest.fixture
def shared_declaration(db: Sessions) -> None:
    """DECL_C covers A1 (export visit at YTCT) and A2 (export visit at YTGD)."""
    with db() as session:
        store_events(session, [event("DECLARATION_ACCEPTED", "d-c-l", "2026-11-20T07:40:00+08:00",
                                     source="CUSTOMS", publisher="4201", container_no=None, vessel_imo=None,
                                     voyage=None, terminal=None, declaration_no=DECL_C, containers=[A1, A2])])
        session.commit()


@pytest.mark.usefixtures("shared_declaration")
@pytest.mark.parametrize("role, containers", [
    ("terminal_ytct", [A1]), ("terminal_ytgd", [A2]), ("enterprise_a", [A1, A2]), ("port_office", [A1, A2]),
])
def test_a_terminal_sees_only_its_own_containers_of_a_declaration(
        client: FlaskClient, people: dict[str, Person], role: str, containers: list[str]) -> None:
    body = get(client, people[role], DECL_C)
    assert [c["container_no"] for c in body["containers"]] == containers
    assert body["receipts"][0]["containers"] == containers


def test_malformed_declaration_number(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.get("/api/v1/declarations/42-01", headers=people["port_office"].headers)
    assert response.status_code == 400 and "18-character" in response.get_json()["message"]


def test_unknown_declaration_is_404_even_for_the_port_office(client: FlaskClient,
                                                             people: dict[str, Person]) -> None:
    response = client.get("/api/v1/declarations/420120269999999999", headers=people["port_office"].headers)
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "no such declaration"}


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)
    engine = app.extensions["clearance_engine"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("role, theirs", [("enterprise_b", DECL_A), ("enterprise_a", DECL_B),
                                          ("terminal_ytgd", DECL_A), ("terminal_ytct", DECL_B)])
def test_anothers_declaration_answers_and_costs_as_a_missing_one(
        app: Flask, client: FlaskClient, people: dict[str, Person], role: str, theirs: str) -> None:
    """The deterministic side of "existence does not show in the time" (bench/declaration_timing.py
    measures it): the same 404 body after the same SQL statements."""
    headers = people[role].headers
    client.get(f"/api/v1/declarations/{theirs}", headers=headers)  # warm the pool and the caches
    answers = {}
    for kind, number in (("theirs", theirs), ("missing", "420120269999999999")):
        with statements(app) as sent:
            response = client.get(f"/api/v1/declarations/{number}", headers=headers)
        answers[kind] = (response.status_code, response.get_json(), len(sent))
    assert answers["theirs"] == answers["missing"]
    assert answers["missing"][:2] == (404, {"error": "not_found", "message": "no such declaration"})
