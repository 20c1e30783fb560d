"""The permission matrix over HTTP: every role × every endpoint, on SQLite and PostgreSQL.

What a caller may not see answers 404 with the same body as what does not exist; lists and searches never
return another's visits; no, revoked or disabled credentials give 401 everywhere (publishing is limited to
the caller's own events: tests/portal/test_publish_own_events.py). Nothing here writes: the world is stored
once per database (tests/portal/seeded.py).
"""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.portal.conftest import Person, store_world
from tests.portal.seeded import Seeded, seed_database, seeded_database_url, seeded_params, seeded_people  # noqa: F401
from tests.portal.test_publish_own_events import PUBLISHING
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
    VISIBLE,
)


@pytest.fixture(scope="module", params=seeded_params())
def seeded(request: pytest.FixtureRequest) -> Seeded:
    return seed_database(request, lambda db, _how: store_world(db))


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
