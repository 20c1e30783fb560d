"""/api/v1/alert-rules on both databases: everyone signed in reads the published limits, only the port
office changes them, every change is audited (who, when, before, after), bad thresholds are refused."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models.alert_rules import AlertRule, AlertRuleChange, seed_default_rules
from models.time_limits import DEFAULT_RULES
from tests.portal.conftest import Person, Sessions
from tests.portal.world import ROLES

NOBODY = ("no credentials", "revoked", "disabled")
SETTINGS = {"warning_seconds": 20 * 60, "alarm_seconds": 40 * 60, "commitment_percent": 95.0, "enabled": True}
NEW_RULE = {"step": "REPOSITION", "terminal": "YTCT", "size": None, **SETTINGS}


@pytest.fixture
def rules(db: Sessions) -> Iterator[dict[str, int]]:
    """The default rules; {step: id} of the port-wide ones for any size."""
    with db() as session:
        seed_default_rules(session, datetime(2026, 11, 20, tzinfo=timezone.utc))
        session.commit()
        rows = session.scalars(select(AlertRule).where(AlertRule.terminal.is_(None), AlertRule.size.is_(None)))
        ids = {row.step: row.id for row in rows}
    yield ids


def headers(people: dict[str, Person], who: str) -> dict[str, str]:
    return {} if who == "no credentials" else people[who].headers


def changes(db: Sessions) -> list[AlertRuleChange]:
    with db() as session:
        return list(session.scalars(select(AlertRuleChange).order_by(AlertRuleChange.id)))


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_rules(client: FlaskClient, people: dict[str, Person], rules: dict,
                                            role: str) -> None:
    response = client.get("/api/v1/alert-rules", headers=people[role].headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == len(DEFAULT_RULES)
    reposition = next(r for r in items if r["step"] == "REPOSITION")
    assert (reposition["start"], reposition["ends"], reposition["warning_seconds"], reposition["alarm_seconds"],
            reposition["commitment_percent"], reposition["name_zh"]) == (
        "inspection_ordered_at", ["repositioned_at", "inspection_completed_at"], 1800, 3600, 99.0, "查验通知后调箱到位")
    one = client.get(f"/api/v1/alert-rules/{reposition['id']}", headers=people[role].headers)
    assert one.get_json() == reposition


@pytest.mark.parametrize("role", [r for r in ROLES if r != "port_office"])
def test_only_the_port_office_changes_rules(client: FlaskClient, people: dict[str, Person], db: Sessions,
                                            rules: dict, role: str) -> None:
    person, rule_id = people[role], rules["REPOSITION"]
    answers = [client.put(f"/api/v1/alert-rules/{rule_id}", json=SETTINGS, headers=person.headers),
               client.post("/api/v1/alert-rules", json=NEW_RULE, headers=person.headers),
               client.delete(f"/api/v1/alert-rules/{rule_id}", headers=person.headers),
               client.get(f"/api/v1/alert-rules/{rule_id}/changes", headers=person.headers)]
    assert [(a.status_code, a.get_json()["error"]) for a in answers] == [(403, "forbidden")] * 4
    with db() as session:
        assert session.get(AlertRule, rule_id).alarm_seconds == 3600  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(AlertRule)) == len(DEFAULT_RULES)
    assert changes(db) == []


@pytest.mark.parametrize("who", NOBODY)
def test_no_valid_credentials_no_rules(client: FlaskClient, people: dict[str, Person], rules: dict, who: str) -> None:
    rule_id = rules["REPOSITION"]
    for response in (client.get("/api/v1/alert-rules", headers=headers(people, who)),
                     client.get(f"/api/v1/alert-rules/{rule_id}", headers=headers(people, who)),
                     client.put(f"/api/v1/alert-rules/{rule_id}", json=SETTINGS, headers=headers(people, who)),
                     client.post("/api/v1/alert-rules", json=NEW_RULE, headers=headers(people, who)),
                     client.delete(f"/api/v1/alert-rules/{rule_id}", headers=headers(people, who))):
        assert (response.status_code, response.get_json()["error"]) == (401, "unauthorized")


def test_every_change_is_audited(client: FlaskClient, people: dict[str, Person], db: Sessions, rules: dict) -> None:
    office, rule_id = people["port_office"], rules["REPOSITION"]
    put = client.put(f"/api/v1/alert-rules/{rule_id}", json=SETTINGS, headers=office.headers)
    assert put.status_code == 200 and put.get_json()["alarm_seconds"] == 40 * 60
    post = client.post("/api/v1/alert-rules", json=NEW_RULE, headers=office.headers)
    assert post.status_code == 201 and post.get_json()["terminal"] == "YTCT"
    new_id = post.get_json()["id"]
    assert client.delete(f"/api/v1/alert-rules/{new_id}", headers=office.headers).status_code == 204
    audit = changes(db)
    assert [(c.rule_id, c.action, c.changed_by, c.changed_by_user_id) for c in audit] == [
        (rule_id, "update", "port_office", office.principal.user_id), (new_id, "create", "port_office",
                                                                       office.principal.user_id),
        (new_id, "delete", "port_office", office.principal.user_id)]
    assert (audit[0].old["alarm_seconds"], audit[0].new["alarm_seconds"]) == (3600, 2400)  # type: ignore[index]
    assert (audit[1].old, audit[2].new) == (None, None)
    history = client.get(f"/api/v1/alert-rules/{new_id}/changes", headers=office.headers).get_json()["items"]
    assert [h["action"] for h in history] == ["create", "delete"]  # kept after the removal
    assert client.get(f"/api/v1/alert-rules/{new_id}", headers=office.headers).status_code == 404


@pytest.mark.parametrize("body", [
    {**SETTINGS, "warning_seconds": 3600, "alarm_seconds": 3600},  # the warning must come first
    {**SETTINGS, "alarm_seconds": -1}, {**SETTINGS, "commitment_percent": 120},
    {**SETTINGS, "commitment_percent": 0}, {k: v for k, v in SETTINGS.items() if k != "enabled"},
])
def test_bad_settings_are_refused_and_not_audited(client: FlaskClient, people: dict[str, Person], db: Sessions,
                                                  rules: dict, body: dict) -> None:
    response = client.put(f"/api/v1/alert-rules/{rules['REPOSITION']}", json=body, headers=people["port_office"].headers)
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid_arguments")
    assert changes(db) == []


@pytest.mark.parametrize("body, status", [
    ({**NEW_RULE, "terminal": None}, 422),  # the port-wide rule exists: PUT it
    ({**NEW_RULE, "step": "LUNCH"}, 422), ({**NEW_RULE, "size": 30}, 422),
])
def test_bad_new_rules_are_refused(client: FlaskClient, people: dict[str, Person], rules: dict, body: dict,
                                   status: int) -> None:
    response = client.post("/api/v1/alert-rules", json=body, headers=people["port_office"].headers)
    assert response.status_code == status


def test_a_duplicate_rule_and_the_port_wide_rule_cannot_be_added_or_removed(
        client: FlaskClient, people: dict[str, Person], rules: dict) -> None:
    office = people["port_office"]
    assert client.post("/api/v1/alert-rules", json=NEW_RULE, headers=office.headers).status_code == 201
    assert client.post("/api/v1/alert-rules", json=NEW_RULE, headers=office.headers).status_code == 422
    assert client.delete(f"/api/v1/alert-rules/{rules['REPOSITION']}", headers=office.headers).status_code == 422
    assert client.put("/api/v1/alert-rules/999999", json=SETTINGS, headers=office.headers).status_code == 404
