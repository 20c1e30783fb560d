"""GET /api/v1/alerts, GET /api/v1/alerts/<id>, POST …/acknowledge on both databases: every role sees the
alerts of exactly the visits it sees, another's alert answers like one that does not exist, only the port
office and the terminal concerned acknowledge (audited on the row), no or bad credentials get 401."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models.access import principal_of
from models.alerts import Alert, count_open_alerts
from models.user import User
from tests.portal.alert_world import ALERTED, alerts_seen, raise_alerts
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, ROLES

pytestmark = pytest.mark.usefixtures("world")
NOBODY = ("no credentials", "revoked", "disabled")
ACKNOWLEDGING = {"port_office": set(ALERTED), "terminal_ytct": {k for k in ALERTED if k[0] == A1},
                 "terminal_ytgd": {k for k in ALERTED if k[0] != A1}}


@pytest.fixture
def alert_ids(db: Sessions) -> Iterator[dict[tuple[str, str], int]]:
    with db() as session:
        ids = raise_alerts(session)
        session.commit()
    yield ids


def headers(people: dict[str, Person], who: str) -> dict[str, str]:
    return {} if who == "no credentials" else people[who].headers


def listed(client: FlaskClient, person: Person, **query: object) -> dict:
    response = client.get("/api/v1/alerts", query_string={"per_page": 100, **query}, headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_exactly_the_alerts_of_its_visits(client: FlaskClient, people: dict[str, Person],
                                                          alert_ids: dict, role: str) -> None:
    body = listed(client, people[role])
    assert {(a["container_no"], a["direction"]) for a in body["items"]} == alerts_seen(role)
    assert body["total"] == len(alerts_seen(role))
    assert all(a["state"] == "OPEN" and a["tier"] == "ALARM" for a in body["items"])
    assert listed(client, people[role], state="cleared")["items"] == []


@pytest.mark.parametrize("role", ROLES)
def test_count_open_alerts_is_the_same_scope(db: Sessions, people: dict[str, Person], alert_ids: dict,
                                             role: str) -> None:
    with db() as session:
        principal = principal_of(session.scalars(select(User).where(User.name == role)).one())
        assert count_open_alerts(session, principal) == len(alerts_seen(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visit", sorted(ALERTED))
def test_anothers_alert_is_not_found_like_a_missing_one(client: FlaskClient, people: dict[str, Person],
                                                        alert_ids: dict, role: str, visit: tuple[str, str]) -> None:
    response = client.get(f"/api/v1/alerts/{alert_ids[visit]}", headers=people[role].headers)
    missing = client.get("/api/v1/alerts/999999", headers=people[role].headers)
    assert missing.status_code == 404
    if visit in alerts_seen(role):
        assert response.status_code == 200
        assert (response.get_json()["container_no"], response.get_json()["step"]) == (visit[0], ALERTED[visit])
    else:
        assert (response.status_code, response.get_json()) == (404, missing.get_json())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("visit", sorted(ALERTED))
def test_only_the_port_office_and_the_terminal_concerned_acknowledge(
        client: FlaskClient, people: dict[str, Person], db: Sessions, alert_ids: dict, role: str,
        visit: tuple[str, str]) -> None:
    alert_id = alert_ids[visit]
    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"reason": "crane 7 down"},
                           headers=people[role].headers)
    with db() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        if visit in ACKNOWLEDGING.get(role, set()):
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            assert (body["state"], body["acknowledged_by"], body["acknowledge_reason"]) == (
                "ACKNOWLEDGED", role, "crane 7 down")
            assert (alert.state, alert.acknowledged_by_user_id, alert.version, alert.pushed) == (
                "ACKNOWLEDGED", people[role].principal.user_id, 2, False)
            assert alert.acknowledged_at is not None
        else:
            assert (response.status_code, response.get_json()["error"]) == (404, "not_found")
            assert (alert.state, alert.version) == ("OPEN", 1)


def test_acknowledged_twice_is_a_conflict_and_lists_under_its_state(client: FlaskClient, people: dict[str, Person],
                                                                    alert_ids: dict) -> None:
    office = people["port_office"]
    alert_id = alert_ids[sorted(ALERTED)[0]]
    first = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"reason": "seen"}, headers=office.headers)
    again = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"reason": "seen"}, headers=office.headers)
    assert (first.status_code, again.status_code, again.get_json()["error"]) == (200, 409, "conflict")
    assert [a["id"] for a in listed(client, office, state="acknowledged")["items"]] == [alert_id]
    assert alert_id not in {a["id"] for a in listed(client, office)["items"]}


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"why": "x"}])
def test_an_acknowledgement_needs_a_reason(client: FlaskClient, people: dict[str, Person], alert_ids: dict,
                                           body: dict) -> None:
    alert_id = alert_ids[sorted(ALERTED)[0]]
    response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json=body, headers=people["port_office"].headers)
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid_arguments")


@pytest.mark.parametrize("query", [{"state": "closed"}, {"per_page": 101}, {"page": 0}])
def test_bad_arguments(client: FlaskClient, people: dict[str, Person], query: dict) -> None:
    response = client.get("/api/v1/alerts", query_string=query, headers=people["port_office"].headers)
    assert response.status_code == 422


@pytest.mark.parametrize("who", NOBODY)
def test_no_valid_credentials_no_alerts(client: FlaskClient, people: dict[str, Person], alert_ids: dict,
                                        who: str) -> None:
    alert_id = alert_ids[sorted(ALERTED)[0]]
    for response in (client.get("/api/v1/alerts", headers=headers(people, who)),
                     client.get(f"/api/v1/alerts/{alert_id}", headers=headers(people, who)),
                     client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"reason": "x"},
                                 headers=headers(people, who))):
        assert (response.status_code, response.get_json()["error"]) == (401, "unauthorized")
