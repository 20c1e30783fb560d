"""The audit log through the portal: logins (succeeded, failed, throttled; never the password), token
publishes (the token's id and label, never its value), rule edits; GET /api/v1/audit for the port office
only, answered for everyone else exactly as a path that does not exist; filters and pages."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models import AuditEntry
from models.alert_rules import seed_default_rules
from models.user import PUBLISH, find_user, issue_token
from tests.portal.conftest import PASSWORD, Person, Sessions
from tests.portal.test_login import log_in
from tests.portal.world import ROLES
from tests.support.factories import doc

GATE_IN = doc("GATE_IN", "audit-g1", "2026-11-20T08:00:00+08:00")


def entries(db: Sessions, kind: str | None = None) -> list[AuditEntry]:
    with db() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        return list(session.scalars(query.where(AuditEntry.kind == kind) if kind else query))


@pytest.mark.usefixtures("people")
def test_logins_are_audited_with_the_name_tried_never_the_password(client: FlaskClient, db: Sessions) -> None:
    wrong = "a wrong secret 0451"
    for _ in range(5):
        assert log_in(client, "port_office", wrong).status_code == 401
    assert log_in(client, "port_office", wrong).status_code == 429
    assert log_in(client, "nobody\x1b[31m", wrong).status_code == 401
    logins = entries(db, "login")
    assert [e.outcome for e in logins] == ["failed"] * 5 + ["throttled", "failed"]
    assert logins[0].actor == "port_office" and logins[0].user_id is None and logins[0].address == "127.0.0.1"
    assert logins[-1].actor == "nobody\\u001b[31m"  # what was typed, escaped
    assert all(wrong not in json.dumps([e.summary, e.detail, e.actor]) for e in logins)


def test_a_successful_login_is_audited(client: FlaskClient, people: dict[str, Person], db: Sessions) -> None:
    assert log_in(client).status_code == 302
    [entry] = entries(db, "login")
    assert (entry.outcome, entry.actor, entry.user_id) == ("ok", "port_office", people["port_office"].principal.user_id)
    assert PASSWORD not in entry.summary and entry.request_id


def test_token_publishes_are_audited_by_token_id_and_label(client: FlaskClient, people: dict[str, Person],
                                                           db: Sessions) -> None:
    with db() as session:
        user = find_user(session, "terminal_ytct")
        assert user is not None
        row, token = issue_token(session, user, "gate system", [PUBLISH])
        session.commit()
    response = client.post("/api/v1/events", json=[GATE_IN, {"schema_version": 1}],
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202
    assert client.post("/api/v1/events?dry_run=1", json=[GATE_IN],
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200  # a check: no entry
    [entry] = entries(db, "publish")
    assert (entry.actor, entry.token_id, entry.outcome) == ("terminal_ytct", row.id, "ok")
    assert entry.detail is not None
    assert (entry.detail["token_label"], entry.detail["accepted"], entry.detail["rejected"]) == ("gate system", 1, 1)
    assert entry.request_id == response.headers["X-Request-Id"]
    assert token not in json.dumps([entry.summary, entry.detail])


def test_publishes_from_the_page_are_in_the_publish_audit_only(client: FlaskClient, db: Sessions,
                                                               people: dict[str, Person]) -> None:
    log_in(client)
    csrf = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.post("/api/v1/events", json=[GATE_IN], headers={"X-CSRFToken": csrf}).status_code == 202
    assert entries(db, "publish") == []


def test_rule_edits_are_audited_with_before_and_after(client: FlaskClient, people: dict[str, Person],
                                                      db: Sessions) -> None:
    with db() as session:
        seed_default_rules(session, datetime.now(timezone.utc))  # the PostgreSQL fixture empties every table
        session.commit()
    office = people["port_office"].headers
    rule = client.get("/api/v1/alert-rules", headers=office).get_json()["items"][0]
    changed = {"warning_seconds": rule["warning_seconds"], "alarm_seconds": rule["alarm_seconds"] + 60,
               "commitment_percent": rule["commitment_percent"], "enabled": False}
    assert client.put(f"/api/v1/alert-rules/{rule['id']}", json=changed, headers=office).status_code == 200
    [entry] = entries(db, "rule_edit")
    assert entry.actor == "port_office" and entry.detail is not None
    assert entry.detail["changed"] == {"alarm_seconds": [rule["alarm_seconds"], rule["alarm_seconds"] + 60],
                                       "enabled": [True, False]}


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_route_is_the_port_offices_alone(client: FlaskClient, people: dict[str, Person], role: str) -> None:
    headers = people[role].headers
    answer = client.get("/api/v1/audit?kind=login", headers=headers)
    if role == "port_office":
        assert answer.status_code == 200 and answer.get_json()["items"] == []
        return
    missing = client.get("/api/v1/no-such-thing", headers=headers)
    assert answer.status_code == missing.status_code == 404
    assert answer.get_json() == missing.get_json()
    assert client.get("/api/v1/audit?kind=nonsense&page=0", headers=headers).get_json() == missing.get_json()


def test_a_port_office_token_needs_read_and_anyone_needs_credentials(client: FlaskClient, db: Sessions,
                                                                     people: dict[str, Person]) -> None:
    assert client.get("/api/v1/audit").status_code == 401
    with db() as session:
        user = find_user(session, "port_office")
        assert user is not None
        _, token = issue_token(session, user, None, [PUBLISH])
        session.commit()
    answer = client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.get_json()["details"]["missing_scopes"] == ["read"]


def test_filters_and_pages(client: FlaskClient, people: dict[str, Person], db: Sessions) -> None:
    for name in ("someone", "someone", "port_office"):
        log_in(client, name, "not it at all")
    office = people["port_office"].headers
    page = client.get("/api/v1/audit?per_page=2", headers=office).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 1, 2, 2)
    assert page["items"][0]["actor"] == "port_office"  # newest first
    assert set(page["items"][0]) == {"id", "at", "kind", "outcome", "actor", "user_id", "token_id", "address",
                                     "request_id", "summary", "detail"}
    second = client.get("/api/v1/audit?per_page=2&page=2", headers=office).get_json()
    assert [e["actor"] for e in second["items"]] == ["someone"]
    assert client.get("/api/v1/audit?actor=someone", headers=office).get_json()["total"] == 2
    assert client.get("/api/v1/audit?kind=dlq_replay", headers=office).get_json()["total"] == 0
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/audit", query_string={"since": future}, headers=office).get_json()["total"] == 0
    bad = client.get("/api/v1/audit?kind=coffee", headers=office)
    assert bad.status_code == 422 and "kind" in bad.get_json()["details"]["query"]
