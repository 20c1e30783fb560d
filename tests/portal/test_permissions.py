"""The permission matrix over HTTP: every role × every endpoint, on SQLite and PostgreSQL.

What a caller may not see answers 404 with the same body as what does not exist; lists and searches never
return another's visits; publishing is limited to the caller's own events; no, revoked or disabled
credentials give 401 everywhere.
"""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.portal.conftest import Person
from tests.portal.world import (
    A1,
    A2,
    B1,
    BL_A,
    BL_B,
    DECL_A,
    DECL_B,
    DECLARATIONS_SEEN,
    NOBODYS,
    ROLES,
    USCC_A,
    USCC_B,
    USCC_BROKER,
    VISIBLE,
)
from tests.support.factories import doc

pytestmark = pytest.mark.usefixtures("world")


def visits_listed(client: FlaskClient, person: Person, **query: str) -> set[tuple[str, str]]:
    response = client.get("/api/v1/containers", query_string={"per_page": "100", **query}, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return {(row["container_no"], row["direction"]) for row in response.get_json()["items"]}


def expected_visits(role: str, containers: set[str] | None = None) -> set[tuple[str, str]]:
    return {(c, d) for c, directions in VISIBLE[role].items() for d in directions
            if containers is None or c in containers}


@pytest.mark.parametrize("role", ROLES)
def test_list_holds_exactly_the_visible_visits(client: FlaskClient, people: dict[str, Person], role: str) -> None:
    assert visits_listed(client, people[role]) == expected_visits(role)


EXPORT_A1, IMPORT_A1, EXPORT_A2, IMPORT_B1 = (A1, "EXPORT"), (A1, "IMPORT"), (A2, "EXPORT"), (B1, "IMPORT")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("q, matching", [
    (A1, {EXPORT_A1, IMPORT_A1}),  # container number
    (A1[:6].lower(), {EXPORT_A1, IMPORT_A1}),  # its start, any case
    ("MSKU", {EXPORT_A2}),
    (B1, {IMPORT_B1}),
    (BL_A, {EXPORT_A1}),  # B/L: only the visit it was issued for
    (BL_B, {IMPORT_A1}),
    (BL_A[:6], {EXPORT_A1, IMPORT_A1}),  # SITYTB: both B/Ls
    (DECL_A, {EXPORT_A1}),  # declaration: only the visit that carries it
    (DECL_B, {IMPORT_B1}),
    (DECL_A[:8], {EXPORT_A1, IMPORT_B1}),
])
def test_search_never_returns_anothers_visits(client: FlaskClient, people: dict[str, Person], role: str,
                                              q: str, matching: set[tuple[str, str]]) -> None:
    assert visits_listed(client, people[role], q=q) == expected_visits(role) & matching


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("container_no", [A1, A2, B1])
def test_detail_shows_visible_visits_and_hides_the_rest_as_unknown(
        client: FlaskClient, people: dict[str, Person], role: str, container_no: str) -> None:
    person = people[role]
    response = client.get(f"/api/v1/containers/{container_no}", headers=person.headers)
    directions = VISIBLE[role].get(container_no)
    if directions:
        assert response.status_code == 200
        assert {v["direction"] for v in response.get_json()["visits"]} == directions
        return
    unknown = client.get(f"/api/v1/containers/{NOBODYS}", headers=person.headers)
    assert response.status_code == unknown.status_code == 404
    assert response.get_data() == unknown.get_data()
    assert response.get_json() == {"error": "not_found", "message": "no such container"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("declaration_no", [DECL_A, DECL_B])
def test_declaration_is_seen_by_the_named_enterprises_and_terminals_of_its_containers(
        client: FlaskClient, people: dict[str, Person], role: str, declaration_no: str) -> None:
    person = people[role]
    response = client.get(f"/api/v1/declarations/{declaration_no}", headers=person.headers)
    if declaration_no in DECLARATIONS_SEEN[role]:
        assert response.status_code == 200
        body = response.get_json()
        assert body["receipts"]
        assert {(c["container_no"], c["direction"]) for c in body["containers"]} <= expected_visits(role)
        return
    unknown = client.get("/api/v1/declarations/420120269999999999", headers=person.headers)
    assert response.status_code == unknown.status_code == 404
    assert response.get_data() == unknown.get_data()


# role -> (a document it may publish, one it may not, a word the refusal must contain)
PUBLISHING = {
    "enterprise_a": (doc("DECLARATION_FILED", "pub-a", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_A, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="E20260000000000001", containers=[A1], enterprise_uscc=USCC_A),
                     doc("GATE_IN", "pub-a-gate", "2026-11-20T06:00:00+08:00"), "source"),
    "enterprise_b": (doc("DECLARATION_FILED", "pub-b", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_B, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="I20260000000000002", containers=[B1], direction="IMPORT",
                         enterprise_uscc=USCC_B),
                     doc("DECLARATION_FILED", "pub-b-for-a", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_A, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="E20260000000000003", containers=[A1], enterprise_uscc=USCC_A),
                     "USCC"),
    "broker": (doc("DECLARATION_FILED", "pub-broker", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                   publisher=USCC_BROKER, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                   declaration_no="E20260000000000004", containers=[A1], enterprise_uscc=USCC_A,
                   declarant_uscc=USCC_BROKER),
               doc("CUSTOMS_RELEASED", "pub-broker-release", "2026-11-20T06:00:00+08:00", source="CUSTOMS",
                   publisher="4201", declarant_uscc=USCC_BROKER), "source"),
    "terminal_ytct": (doc("GATE_IN", "pub-ytct", "2026-11-20T06:00:00+08:00"),
                      doc("GATE_IN", "pub-ytct-as-ytgd", "2026-11-20T06:00:00+08:00", publisher="YTGD",
                          terminal="YTGD"), "publisher"),
    "terminal_ytgd": (doc("GATE_IN", "pub-ytgd", "2026-11-21T09:00:00+08:00", publisher="YTGD", terminal="YTGD",
                          container_no=A2),  # its own visit: A1's export visit is YTCT's
                      doc("GATE_IN", "pub-ytgd-as-ytct", "2026-11-20T06:00:00+08:00", publisher="YTCT"),
                      "publisher"),
    "port_office": (doc("HOLD_PLACED", "pub-po", "2026-11-20T06:00:00+08:00", source="CUSTOMS", publisher="4201",
                        customs_code="13"),
                    doc("GATE_IN", "pub-po-bad", "2026-11-20T06:00:00+08:00", container_no="CICU3789923"),
                    "check digit"),
}


@pytest.mark.parametrize("role", ROLES)
def test_publishing_is_limited_to_the_callers_own_events(client: FlaskClient, people: dict[str, Person],
                                                        role: str) -> None:
    allowed, refused, reason_word = PUBLISHING[role]
    person = people[role]
    response = client.post("/api/v1/events", json=[allowed, refused], headers=person.headers)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["accepted"] == [allowed["event_id"]]
    [rejection] = body["rejected"]
    assert rejection["index"] == 1
    assert any(reason_word in reason for reason in rejection["reasons"]), rejection

    only_refused = client.post("/api/v1/events", json=refused, headers=person.headers)
    assert only_refused.status_code == 400
    assert only_refused.get_json()["accepted"] == []
    assert only_refused.get_json()["rejected"][0]["index"] == 0


ENDPOINTS = [
    ("GET", "/api/v1/containers", None),
    ("GET", f"/api/v1/containers?q={A1}", None),
    ("GET", f"/api/v1/containers?q={BL_A}", None),
    ("GET", f"/api/v1/containers?q={DECL_A}", None),
    ("GET", f"/api/v1/containers/{A1}", None),
    ("GET", f"/api/v1/declarations/{DECL_A}", None),
    ("GET", "/api/v1/session", None),
    ("POST", "/api/v1/events", PUBLISHING["port_office"][0]),
]
NO_ACCESS = {
    "no credentials": lambda people: {},
    "revoked token": lambda people: people["revoked"].headers,
    "disabled user": lambda people: people["disabled"].headers,
    "unknown token": lambda people: {"Authorization": "Bearer not-a-token-anyone-was-given"},
    "empty bearer": lambda people: {"Authorization": "Bearer "},
    "basic scheme": lambda people: {"Authorization": "Basic cG9ydF9vZmZpY2U6eA=="},
}


@pytest.mark.parametrize("who", sorted(NO_ACCESS))
@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_without_valid_credentials_every_endpoint_answers_401(client: FlaskClient, people: dict[str, Person],
                                                              who: str, method: str, path: str,
                                                              body: dict | None) -> None:
    response = client.open(path, method=method, json=body, headers=NO_ACCESS[who](people))
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
