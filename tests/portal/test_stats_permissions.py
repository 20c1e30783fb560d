"""The figures endpoints × every role, JSON and CSV, on both databases (the world of tests/portal/world.py):
each party's figures count only the visits it sees, no, revoked or disabled credentials answer 401. Nothing
here writes: the world is stored once per database (tests/portal/seeded.py); the figures of "now" after a
change are tests/portal/test_stats_now.py's."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.portal.conftest import Person, store_world
from tests.portal.seeded import Seeded, seed_database, seeded_database_url, seeded_params, seeded_people  # noqa: F401
from tests.portal.test_permissions import NO_ACCESS
from tests.portal.world import A1, A2, B1, ROLES, VISIBLE

pytestmark = pytest.mark.usefixtures("clock")
NOW = datetime.fromisoformat("2026-11-26T12:00:00+08:00")
PERIOD = {"from": "2026-11-01", "to": "2026-12-01"}
# the world's visits: the stage of their current type, and which the figures count
STAGE_NOW = {(A1, "EXPORT"): "RELEASE", (A1, "IMPORT"): "VESSEL_AND_YARD", (A2, "EXPORT"): "ARRIVAL",
             (B1, "IMPORT"): "DECLARATION"}
EXPORT_CLOSED = {(A1, "EXPORT")}  # gate-in 08:00, reported 08:05:30, accepted 07:30, released 10:00
IMPORT_OPEN = {(A1, "IMPORT"), (B1, "IMPORT")}  # discharged, not released
ENDPOINTS = {
    "clearance-time EXPORT": ("clearance-time", {"direction": "EXPORT", **PERIOD}, EXPORT_CLOSED),
    "clearance-time IMPORT": ("clearance-time", {"direction": "IMPORT", **PERIOD}, IMPORT_OPEN),
    "stages EXPORT": ("stages", {"direction": "EXPORT", **PERIOD}, EXPORT_CLOSED),
    "now": ("now", {}, set(STAGE_NOW)),
}


@pytest.fixture(scope="module", params=seeded_params())
def seeded(request: pytest.FixtureRequest) -> Seeded:
    return seed_database(request, lambda db, _how: store_world(db))


@pytest.fixture
def clock(app: Flask) -> None:
    app.config["CLEARANCE_CLOCK"] = lambda: NOW


def visible(role: str) -> set[tuple[str, str]]:
    return {(c, d) for c, directions in VISIBLE[role].items() for d in directions}


def get(client: FlaskClient, person: Person, path: str, query: dict[str, str]) -> Any:
    response = client.get(f"/api/v1/stats/{path}", query_string=query, headers=person.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_clearance_time_counts_only_the_callers_visits(client: FlaskClient, people: dict[str, Person],
                                                       role: str) -> None:
    export = get(client, people[role], "clearance-time", ENDPOINTS["clearance-time EXPORT"][1]).get_json()
    [group] = export["groups"]
    assert group["count"] == len(visible(role) & EXPORT_CLOSED)
    if group["count"]:
        assert group["p50"] == round((10 * 60 - (8 * 60 + 5.5)) / 60, 4)
    imported = get(client, people[role], "clearance-time", ENDPOINTS["clearance-time IMPORT"][1]).get_json()
    assert imported["open"] == len(visible(role) & IMPORT_OPEN)
    enterprise = role in ("enterprise_a", "enterprise_b", "broker")
    assert export["port_p50"] == (1.9083 if enterprise else None)  # port-wide: an aggregate only


@pytest.mark.parametrize("role", ROLES)
def test_stages_count_only_the_callers_visits(client: FlaskClient, people: dict[str, Person], role: str) -> None:
    body = get(client, people[role], "stages", ENDPOINTS["stages EXPORT"][1]).get_json()
    counts = {g["key"]: g["count"] for g in body["groups"]}
    mine = len(visible(role) & EXPORT_CLOSED)
    assert counts == {"preparation": mine, "customs": mine, "after_release": 0, "departure": 0}


@pytest.mark.parametrize("role", ROLES)
def test_now_counts_only_the_callers_visits(client: FlaskClient, people: dict[str, Person], role: str) -> None:
    body = get(client, people[role], "now", {}).get_json()
    mine = visible(role)
    assert body["active"] == len(mine)
    stages = {s["stage"]: s["count"] for s in body["stages"]}
    assert {s: n for s, n in stages.items() if n} == {STAGE_NOW[v]: 1 for v in mine}
    assert body["inspected"] == len(mine & {(A1, "EXPORT")})
    assert body["inspection_rate"] == (round(body["inspected"] / len(mine), 4) if mine else None)
    assert (body["active_holds"], body["at"]) == (0, "2026-11-26T04:00:00Z")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_csv_rows_are_the_callers_visits(client: FlaskClient, people: dict[str, Person], role: str,
                                         endpoint: str) -> None:
    path, query, counted = ENDPOINTS[endpoint]
    response = get(client, people[role], path, {**query, "format": "csv"})
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert reader.fieldnames and "container_no" in reader.fieldnames
    assert {(r["container_no"], r["direction"]) for r in reader} == visible(role) & counted


@pytest.mark.parametrize("who", sorted(NO_ACCESS))
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("format", ["json", "csv"])
def test_without_valid_credentials_every_figure_answers_401(client: FlaskClient, people: dict[str, Person],
                                                            who: str, endpoint: str, format: str) -> None:
    path, query, _ = ENDPOINTS[endpoint]
    response = client.get(f"/api/v1/stats/{path}", query_string={**query, "format": format},
                          headers=NO_ACCESS[who](people))
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
