"""GET /api/v1/stats/compliance and /offenders on both databases: per day, terminal and rule the share of
steps done within the limit beside the commitment; terminals and declarants by alarms; each over the
visits the caller sees, as JSON and CSV."""
from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models.operations import store_events
from tests.portal.alert_world import NOW, raise_alerts
from tests.portal.conftest import Person, Sessions, store_world
from tests.portal.seeded import Seeded, seed_database, seeded_database_url, seeded_params, seeded_people  # noqa: F401
from tests.portal.stats_world import KEEPING, keep
from tests.portal.world import A1, A2, B1, ROLES, USCC_B, USCC_BROKER, VISIBLE
from tests.support.factories import event

C1 = "TCLU0001237"  # a box repositioned 20 min after its inspection order, inspected 1 h later: within
C2 = "TCLU0001242"  # repositioned 90 min after the order (late, though no alert saw it open), inspected
PERIOD = {"from": "2026-11-20", "to": "2026-11-26"}
# the decided steps: (container, direction), day, terminal, step, within the limit
STEPS = [((C1, "EXPORT"), "2026-11-20", "YTCT", "REPOSITION", True),
         ((C1, "EXPORT"), "2026-11-20", "YTCT", "INSPECTION", True),
         ((C2, "EXPORT"), "2026-11-21", "YTCT", "REPOSITION", False),
         ((C2, "EXPORT"), "2026-11-21", "YTCT", "INSPECTION", True),
         ((A1, "EXPORT"), "2026-11-21", "YTCT", "EXPORT_LOADING", False),
         ((A2, "EXPORT"), "2026-11-21", "YTGD", "REPOSITION", False),
         ((B1, "IMPORT"), "2026-11-22", "YTGD", "REPOSITION", False)]
SEEN = {role: {k for k, *_ in STEPS if k[1] in VISIBLE[role].get(k[0], set())} for role in ROLES}
for _role in ("port_office", "enterprise_a", "terminal_ytct"):
    SEEN[_role] |= {(C1, "EXPORT"), (C2, "EXPORT")}
DECLARANTS = {(A1, "EXPORT"): USCC_BROKER, (B1, "IMPORT"): USCC_B}


@pytest.fixture(scope="module", params=seeded_params(KEEPING))
def seeded(request: pytest.FixtureRequest) -> Seeded:
    """The world and the steps decided, read live, from days kept, or partly kept (stats_world.keep)."""
    def seed(db: Sessions, how: str) -> None:
        store_world(db)
        with db() as session:
            for box, day, moved in ((C1, "2026-11-20", "10:20"), (C2, "2026-11-21", "11:30")):
                customs = {"source": "CUSTOMS", "publisher": "4201", "container_no": box}
                store_events(session, [
                    event("INSPECTION_ORDERED", f"io-{box}", f"{day}T10:00:00+08:00", **customs),
                    event("REPOSITIONED", f"rp-{box}", f"{day}T{moved}:00+08:00", container_no=box),
                    event("INSPECTION_COMPLETED", f"ic-{box}", f"{day}T12:00:00+08:00", **customs)])
            raise_alerts(session)
            session.commit()
        keep(db, how, now=NOW)
    return seed_database(request, seed)


@pytest.fixture
def decided(app: Flask) -> None:
    """The portal's clock at NOW, when the steps `seeded` stored are decided."""
    app.config["CLEARANCE_CLOCK"] = lambda: NOW


def get(client: FlaskClient, person: Person, path: str, **query: str) -> dict:
    response = client.get(f"/api/v1/stats/{path}", query_string={**PERIOD, **query}, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("role", ROLES)
def test_compliance_of_the_steps_the_role_sees(client: FlaskClient, people: dict[str, Person], decided: None,
                                               role: str) -> None:
    body = get(client, people[role], "compliance")
    assert (body["from"], body["to"]) == ("2026-11-20", "2026-11-26")
    rows = {(r["day"], r["terminal"], r["step"]): (r["steps"], r["within"], r["share_within"], r["meets_commitment"])
            for r in body["items"]}
    expected = {}
    for key, day, terminal, step, within in STEPS:
        if key not in SEEN[role]:
            continue
        commitment = step == "REPOSITION"  # the only default with a published commitment (99 %)
        assert (day, terminal, step) not in expected
        expected[(day, terminal, step)] = (1, int(within), float(within), within if commitment else None)
    assert rows == expected


@pytest.mark.parametrize("role", ROLES)
def test_offenders_by_alarms_the_role_sees(client: FlaskClient, people: dict[str, Person], decided: None,
                                           role: str) -> None:
    body = get(client, people[role], "offenders")
    alarmed = SEEN[role] - {(C1, "EXPORT"), (C2, "EXPORT")}
    terminals: dict[str, int] = {}
    for key, _day, terminal, _step, _within in STEPS:
        if key in alarmed:
            terminals[terminal] = terminals.get(terminal, 0) + 1
    assert {t["party"]: t["alarms"] for t in body["terminals"]} == terminals
    assert {d["party"]: d["alarms"] for d in body["declarants"]} == {
        DECLARANTS[k]: 1 for k in alarmed if k in DECLARANTS}
    assert [t["alarms"] for t in body["terminals"]] == sorted(terminals.values(), reverse=True)


def test_offenders_count_steps_and_boxes(client: FlaskClient, people: dict[str, Person], decided: None) -> None:
    [ytgd, ytct] = get(client, people["port_office"], "offenders")["terminals"]
    assert ytgd == {"party": "YTGD", "alarms": 2, "containers": 2, "by_step": {"REPOSITION": 2}}
    assert ytct == {"party": "YTCT", "alarms": 1, "containers": 1, "by_step": {"EXPORT_LOADING": 1}}
    outside = get(client, people["port_office"], "offenders", **{"from": "2026-11-20", "to": "2026-11-25"})
    assert outside["terminals"] == []  # the alarms were raised on the 26th


def test_csv(client: FlaskClient, people: dict[str, Person], decided: None) -> None:
    response = client.get("/api/v1/stats/compliance", query_string={**PERIOD, "format": "csv"},
                          headers=people["terminal_ytct"].headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["day"], r["step"], r["steps"], r["within"], r["meets_commitment"]) for r in rows] == [
        ("2026-11-20", "INSPECTION", "1", "1", ""), ("2026-11-20", "REPOSITION", "1", "1", "True"),
        ("2026-11-21", "EXPORT_LOADING", "1", "0", ""), ("2026-11-21", "INSPECTION", "1", "1", ""),
        ("2026-11-21", "REPOSITION", "1", "0", "False")]
    response = client.get("/api/v1/stats/offenders", query_string={**PERIOD, "format": "csv"},
                          headers=people["port_office"].headers)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["kind"], r["party"], r["alarms"], r["REPOSITION"]) for r in rows] == [
        ("terminals", "YTGD", "2", "2"), ("terminals", "YTCT", "1", "0"),
        ("declarants", USCC_BROKER, "1", "0"), ("declarants", USCC_B, "1", "1")]  # ties by party


def test_the_default_period_is_the_last_seven_days(client: FlaskClient, people: dict[str, Person],
                                                   decided: None) -> None:
    response = client.get("/api/v1/stats/compliance", headers=people["port_office"].headers)
    assert (response.get_json()["from"], response.get_json()["to"]) == ("2026-11-20", "2026-11-26")


@pytest.mark.parametrize("query", [{"from": "2026-11-27", "to": "2026-11-20"}, {"from": "2025-01-01", "to": "2026-11-20"},
                                   {"from": "yesterday"}, {"format": "xml"}])
def test_bad_periods(client: FlaskClient, people: dict[str, Person], query: dict) -> None:
    for path in ("compliance", "offenders"):
        response = client.get(f"/api/v1/stats/{path}", query_string=query, headers=people["port_office"].headers)
        assert (response.status_code, response.get_json()["error"]) == (422, "invalid_arguments")


@pytest.mark.parametrize("who", ["revoked", "disabled", None])
def test_no_valid_credentials(client: FlaskClient, people: dict[str, Person], who: str | None) -> None:
    for path in ("compliance", "offenders"):
        response = client.get(f"/api/v1/stats/{path}", headers=people[who].headers if who else {})
        assert response.status_code == 401
