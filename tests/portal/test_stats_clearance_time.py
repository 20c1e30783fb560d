"""GET /api/v1/stats/clearance-time on the hand-computed month of tests/portal/stats_world.py: the same
answers on SQLite and PostgreSQL, through the real route."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.seeded import Seeded, seed_database, seeded_database_url, seeded_params, seeded_people  # noqa: F401
from tests.portal.stats_world import C, KEEPING, NOW, PERIOD, SHARE_ENDED, WITHIN, batches, keep
from tests.portal.world import USCC_A, USCC_B

pytestmark = pytest.mark.usefixtures("clock")
URL = "/api/v1/stats/clearance-time"


@pytest.fixture(scope="module", params=seeded_params(KEEPING))
def seeded(request: pytest.FixtureRequest) -> Seeded:
    def seed(db: Sessions, how: str) -> None:
        for batch in batches():
            with db() as session:
                store_events(session, batch)
                session.commit()
        keep(db, how)
    return seed_database(request, seed)


@pytest.fixture
def clock(app: Flask) -> None:
    app.config["CLEARANCE_CLOCK"] = lambda: NOW


def figures(client: FlaskClient, person: Person, **query: Any) -> dict[str, Any]:
    response = client.get(URL, query_string={"direction": "IMPORT", **PERIOD, **query}, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def group(key: str | None, values: list[float]) -> dict[str, Any]:
    """The figures of one group, computed here with percentile_cont's rule (values sorted by hand)."""
    n = len(values)

    def at(fraction: float) -> float:
        position = fraction * (n - 1)
        low = int(position)
        high = min(low + 1, n - 1)
        return round(values[low] + (values[high] - values[low]) * (position - low), 4)
    return {"key": key, "count": n, "mean": round(sum(values) / n, 4), "p50": at(0.5), "p90": at(0.9),
            "max": values[-1]}


def test_port_figures_computed_by_hand(client: FlaskClient, people: dict[str, Person]) -> None:
    body = figures(client, people["port_office"], within=WITHIN)
    assert body["groups"] == [{"key": None, "count": 5, "mean": 4.0, "p50": 3.0, "p90": 7.6, "max": 10.0}]
    assert body["open"] == 2
    assert body["excluded"] == {"negative_interval": 1, "missing_start": 1}
    assert body["survival"] == [{"hours": float(h), "share_ended": round(s, 4)} for h, s in zip(WITHIN, SHARE_ENDED)]
    assert (body["measure"], body["direction"], body["unit"], body["from"], body["to"]) == (
        "gacc", "IMPORT", "hours", "2026-11-01", "2026-12-01")
    assert body["port_p50"] is None


@pytest.mark.parametrize("group_by, groups", [
    ("day", [group("2026-11-01", [1]), group("2026-11-04", [2]), group("2026-11-05", [3]),
             group("2026-11-06", [4]), group("2026-11-08", [10])]),
    ("terminal", [group("YTCT", [10]), group("YTGD", [1, 2, 3, 4])]),
    ("lane", [group("advance_declaration", [10]), group("normal", [1, 2, 3, 4])]),
    ("inspected", [group("false", [1, 2, 4, 10]), group("true", [3])]),
    ("declarant", [group(USCC_A, [1, 2]), group(USCC_B, [3, 4, 10])]),
])
def test_grouped_figures(client: FlaskClient, people: dict[str, Person], group_by: str,
                         groups: list[dict[str, Any]]) -> None:
    assert figures(client, people["port_office"], group_by=group_by)["groups"] == groups


@pytest.mark.parametrize("query, values, open_visits", [
    ({"terminal": "YTGD"}, [1, 2, 3, 4], 2),
    ({"lane": "advance_declaration"}, [10], 0),
    ({"inspected": "false"}, [1, 2, 4, 10], 2),
    ({"terminal": "YTGD", "inspected": "true"}, [3], 0),
    ({"from": "2026-11-05", "to": "2026-11-07"}, [3, 4], 0),
])
def test_filters(client: FlaskClient, people: dict[str, Person], query: dict[str, str], values: list[float],
                 open_visits: int) -> None:
    body = figures(client, people["port_office"], **query)
    assert body["groups"] == [group(None, values)]
    assert body["open"] == open_visits


@pytest.mark.parametrize("role, values, open_visits, excluded, port_p50", [
    ("enterprise_a", [1, 2], 2, {"negative_interval": 1, "missing_start": 1}, 3.0),
    ("enterprise_b", [3, 4, 10], 0, {"negative_interval": 0, "missing_start": 0}, 3.0),
    ("broker", None, 0, {"negative_interval": 0, "missing_start": 0}, 3.0),
    ("terminal_ytct", [10], 0, {"negative_interval": 0, "missing_start": 0}, None),
    ("terminal_ytgd", [1, 2, 3, 4], 2, {"negative_interval": 1, "missing_start": 1}, None),
])
def test_each_party_sees_its_own_figures(client: FlaskClient, people: dict[str, Person], role: str,
                                         values: list[float] | None, open_visits: int,
                                         excluded: dict[str, int], port_p50: float | None) -> None:
    body = figures(client, people[role])
    empty = {"key": None, "count": 0, "mean": None, "p50": None, "p90": None, "max": None}
    assert body["groups"] == [group(None, values) if values else empty]
    assert (body["open"], body["excluded"], body["port_p50"]) == (open_visits, excluded, port_p50)


def test_a_terminal_cannot_widen_its_scope_with_the_filter(client: FlaskClient, people: dict[str, Person]) -> None:
    body = figures(client, people["terminal_ytct"], terminal="YTGD")
    assert body["groups"][0]["count"] == 0 and body["open"] == 0 and body["survival"] == []


def test_customs_time_counts_visits_without_acceptance_as_missing_start(
        client: FlaskClient, people: dict[str, Person]) -> None:
    body = figures(client, people["port_office"], measure="customs")
    assert body["groups"] == [group(None, [20])]  # C5: accepted 11-07 10:00, released 11-08 06:00
    assert body["excluded"] == {"negative_interval": 0, "missing_start": 6}


def test_csv_holds_the_rows_behind_the_figures(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.get(URL, query_string={"direction": "IMPORT", **PERIOD, "format": "csv"},
                          headers=people["port_office"].headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    status = {row["container_no"]: (row["status"], row["hours"], row["day"]) for row in rows}
    assert status == {
        C[1]: ("closed", "1.0", "2026-11-01"), C[2]: ("closed", "2.0", "2026-11-04"),
        C[3]: ("closed", "3.0", "2026-11-05"), C[4]: ("closed", "4.0", "2026-11-06"),
        C[5]: ("closed", "10.0", "2026-11-08"), C[6]: ("negative_interval", "-2.0", "2026-11-09"),
        C[7]: ("missing_start", "", "2026-11-10"), C[8]: ("open", "4.0", ""), C[9]: ("open", "1.5", ""),
    }
    assert rows[0]["start_at"] == "2026-10-31T15:10:00Z" and rows[0]["end_at"] == "2026-10-31T16:10:00Z"
    mine = client.get(URL, query_string={"direction": "IMPORT", **PERIOD, "format": "csv"},
                      headers=people["enterprise_b"].headers)
    assert {row["container_no"] for row in csv.DictReader(io.StringIO(mine.get_data(as_text=True)))} == {
        C[3], C[4], C[5]}


def test_a_csv_answer_gives_its_database_connection_back(client: FlaskClient, people: dict[str, Person],
                                                        app: Flask) -> None:
    """The rows are read while the answer streams, after the view returned: the session they use must
    be closed after the last row (it stayed in a transaction before, and the next writer waited on it)."""
    for path in ("clearance-time", "stages", "now"):
        response = client.get(f"/api/v1/stats/{path}", query_string={"direction": "IMPORT", **PERIOD, "format": "csv"},
                              headers=people["port_office"].headers)
        assert response.get_data(as_text=True).startswith("container_no,")
        assert app.extensions["clearance_engine"].pool.checkedout() == 0


@pytest.mark.parametrize("query, field", [
    ({"measure": "gacc"}, "direction"),
    ({"direction": "SIDEWAYS"}, "direction"),
    ({"direction": "IMPORT", "measure": "fastest"}, "measure"),
    ({"direction": "IMPORT", "group_by": "colour"}, "group_by"),
    ({"direction": "IMPORT", "from": "2026-11-05", "to": "2026-11-05"}, "to"),
    ({"direction": "IMPORT", "from": "2025-01-01", "to": "2026-11-05"}, "to"),
    ({"direction": "IMPORT", "from": "2026-13-01"}, "from"),
    ({"direction": "IMPORT", "within": "0"}, "within"),
    ({"direction": "IMPORT", "lane": "fast"}, "lane"),
    ({"direction": "IMPORT", "format": "xml"}, "format"),
])
def test_invalid_arguments_answer_422_with_details(client: FlaskClient, people: dict[str, Person],
                                                   query: dict[str, str], field: str) -> None:
    response = client.get(URL, query_string=query, headers=people["port_office"].headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_arguments" and field in body["details"]["query"]
