"""GET /api/v1/stats/stages and the export figures, on two import and two export visits computed by hand,
on both databases. Times +08:00, all on 2026-11-10.

  I1  arrival 08:00, discharged 09:00, accepted 11:00, released 12:00, gate-out 18:00
      unloading 1, preparation 2, customs 1, pickup 6
  I2  arrival 08:00, discharged 10:00, accepted 03:00 (in advance), released 11:00, gate-out 12:00
      unloading 2, preparation 0 (accepted first), customs 8, pickup 1
  E1  accepted 07:00 (in advance), gate-in 08:00, reported 08:10, released 09:30, loaded 12:00, departed 14:00
      preparation 0, customs 2.5, after release 2.5, departure 2; GACC from 08:10 (the later): 4/3 h
  E2  gate-in 08:00, reported 08:05, accepted 09:00, released 09:30, loaded 10:00, departed 14:00
      preparation 1, customs 0.5, after release 0.5, departure 4; GACC from 09:00: 0.5 h; direct loading
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from events.codec import ClearanceEvent
from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.seeded import Seeded, seed_database, seeded_database_url, seeded_params, seeded_people  # noqa: F401
from tests.portal.stats_world import KEEPING, keep, number
from tests.portal.world import USCC_A
from tests.support.factories import event

DAY = {"from": "2026-11-10", "to": "2026-11-11"}
I1, I2, E1, E2 = number(21), number(22), number(23), number(24)


def at(hhmm: str) -> str:
    return f"2026-11-10T{hhmm}:00+08:00"


def visit_events(container_no: str, direction: str, voyage: str, times: dict[str, str]) -> list[ClearanceEvent]:
    """One event per type at the given time, from the publisher the contract wants."""
    visit = {"container_no": container_no, "direction": direction, "voyage": voyage, "terminal": "YTCT",
             "enterprise_uscc": USCC_A}
    made = []
    for type_, hhmm in times.items():
        tag = f"{container_no}-{type_}"
        if type_.startswith("VESSEL"):
            made.append(event(type_, f"{voyage}-{type_}", at(hhmm), source="MARITIME", publisher="YTMSA",
                              container_no=None, enterprise_uscc=None, terminal=None, direction=direction,
                              voyage=voyage))
        elif type_ in ("DECLARATION_ACCEPTED", "CUSTOMS_RELEASED"):
            flag = "1" if direction == "IMPORT" else "0"
            made.append(event(type_, tag, at(hhmm), source="CUSTOMS", publisher="4201", **visit,
                              declaration_no=f"22332026{flag}0000000{container_no[-2:]}"))
        else:
            made.append(event(type_, tag, at(hhmm), **visit))
    return made


@pytest.fixture(scope="module", params=seeded_params(KEEPING))
def seeded(request: pytest.FixtureRequest) -> Seeded:
    return seed_database(request, store_stage_world)


def store_stage_world(db: Sessions, how: str) -> None:
    events = [
        *visit_events(I1, "IMPORT", "I01", {"VESSEL_ARRIVED": "08:00", "DISCHARGED": "09:00",
                                            "DECLARATION_ACCEPTED": "11:00", "CUSTOMS_RELEASED": "12:00",
                                            "GATE_OUT": "18:00"}),
        *visit_events(I2, "IMPORT", "I02", {"VESSEL_ARRIVED": "08:00", "DISCHARGED": "10:00",
                                            "DECLARATION_ACCEPTED": "03:00", "CUSTOMS_RELEASED": "11:00",
                                            "GATE_OUT": "12:00"}),
        *visit_events(E1, "EXPORT", "E01", {"DECLARATION_ACCEPTED": "07:00", "GATE_IN": "08:00",
                                            "ARRIVAL_REPORTED": "08:10", "CUSTOMS_RELEASED": "09:30",
                                            "LOADED": "12:00", "VESSEL_DEPARTED": "14:00"}),
        *visit_events(E2, "EXPORT", "E02", {"GATE_IN": "08:00", "ARRIVAL_REPORTED": "08:05",
                                            "DECLARATION_ACCEPTED": "09:00", "CUSTOMS_RELEASED": "09:30",
                                            "LOADED": "10:00", "VESSEL_DEPARTED": "14:00"}),
    ]
    with db() as session:
        store_events(session, events)
        session.commit()
    keep(db, how, now=datetime.fromisoformat("2026-11-12T00:00:00+08:00"))


def get(client: FlaskClient, person: Person, path: str, **query: str) -> Any:
    response = client.get(f"/api/v1/stats/{path}", query_string={**DAY, **query}, headers=person.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json() if response.mimetype == "application/json" else response.get_data(as_text=True)


def figures(values: list[float]) -> dict[str, Any]:
    low, high = sorted(values)
    return {"count": 2, "mean": round((low + high) / 2, 4), "p50": round((low + high) / 2, 4),
            "p90": round(low + 0.9 * (high - low), 4), "max": high}


@pytest.mark.parametrize("direction, expected", [
    ("IMPORT", {"unloading": [1, 2], "preparation": [2, 0], "customs": [1, 8], "pickup": [6, 1]}),
    ("EXPORT", {"preparation": [0, 1], "customs": [2.5, 0.5], "after_release": [2.5, 0.5], "departure": [2, 4]}),
])
def test_stage_decomposition(client: FlaskClient, people: dict[str, Person], direction: str,
                             expected: dict[str, list[float]]) -> None:
    body = get(client, people["port_office"], "stages", direction=direction)
    assert [g["key"] for g in body["groups"]] == list(expected)
    for group in body["groups"]:
        assert {k: group[k] for k in ("count", "mean", "p50", "p90", "max")} == figures(expected[group["key"]])
        assert group["port_p50"] is None and group["en"] and group["zh"]
    enterprise = get(client, people["enterprise_a"], "stages", direction=direction)
    assert [g["port_p50"] for g in enterprise["groups"]] == [figures(v)["p50"] for v in expected.values()]
    assert [g["count"] for g in get(client, people["enterprise_b"], "stages", direction=direction)["groups"]] == [
        0] * 4


@pytest.mark.parametrize("measure, values", [
    ("gacc", [4 / 3, 0.5]),  # the later of arrival report and acceptance
    ("customs", [2.5, 0.5]),
    ("port_logistics", [35 / 6, 71 / 12]),  # arrival report → vessel departure
    ("dwell", [4, 2]),  # gate-in → loaded
])
def test_export_measures(client: FlaskClient, people: dict[str, Person], measure: str, values: list[float]) -> None:
    body = get(client, people["port_office"], "clearance-time", direction="EXPORT", measure=measure)
    assert body["groups"] == [{"key": None, **figures(values), "max": round(max(values), 4)}]


@pytest.mark.parametrize("measure, values", [
    ("gacc", [4, 3]), ("customs", [1, 8]), ("port_logistics", [10, 4]), ("dwell", [9, 2])])
def test_import_measures(client: FlaskClient, people: dict[str, Person], measure: str, values: list[float]) -> None:
    body = get(client, people["port_office"], "clearance-time", direction="IMPORT", measure=measure)
    assert body["groups"] == [{"key": None, **figures(values)}]


def test_lanes_of_the_export_visits(client: FlaskClient, people: dict[str, Person]) -> None:
    body = get(client, people["port_office"], "clearance-time", direction="EXPORT", group_by="lane")
    assert [(g["key"], g["count"], g["mean"]) for g in body["groups"]] == [
        ("advance_declaration", 1, round(4 / 3, 4)), ("direct_loading", 1, 0.5)]


def test_stage_csv_has_a_row_per_visit_and_stage(client: FlaskClient, people: dict[str, Person]) -> None:
    text = get(client, people["port_office"], "stages", direction="IMPORT", format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((r["container_no"], r["stage"], r["hours"]) for r in rows) == sorted([
        (I1, "unloading", "1.0"), (I1, "preparation", "2.0"), (I1, "customs", "1.0"), (I1, "pickup", "6.0"),
        (I2, "unloading", "2.0"), (I2, "preparation", "0.0"), (I2, "customs", "8.0"), (I2, "pickup", "1.0")])
