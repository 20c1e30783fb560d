"""Every publish is audited in its own request (who, when, how, what became of each event), on both
databases; a dry run writes nothing and takes no write lock; a publish waits a bounded time for it."""
from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

from flask.testing import FlaskClient
from sqlalchemy import select

from models.audit import PublishAudit
from clearance.config import Settings
from tests.portal.conftest import PASSWORD, MakeApp, Person, Sessions
from tests.portal.test_login import csrf_token
from tests.portal.test_publish_tables import CSV, post_table
from tests.portal import test_write_lock
from tests.support.factories import doc
from tests.support.pipeline import read_all

GOOD = doc("GATE_IN", "audit-g1", "2026-11-20T08:00:00+08:00", container_no="TCLU1234568")
BAD = doc("GATE_IN", "audit-bad\u0000id", "2026-11-20T08:00:00+08:00", container_no="TCLU1234569")


def writer_holding_lock(database_url: str, seconds: float) -> Iterator[threading.Event]:
    """Another connection holds the write lock (SQLite) or the audit table (PostgreSQL) for `seconds`."""
    return test_write_lock.writer_holding_lock(database_url, seconds, table="publish_audit")


def audit_rows(db: Sessions) -> list[PublishAudit]:
    with db() as session:
        return list(session.scalars(select(PublishAudit).order_by(PublishAudit.id)))


def test_each_event_of_a_request_is_audited_with_its_outcome(client: FlaskClient, people: dict[str, Person],
                                                            db: Sessions) -> None:
    before = time.time()
    response = client.post("/api/v1/events", json=[GOOD, BAD], headers=people["terminal_ytct"].headers)
    assert response.status_code == 202
    good, bad = audit_rows(db)
    assert (good.outcome, good.event_id, good.publisher, good.type, good.container_no) == \
        ("accepted", "audit-g1", "YTCT", "GATE_IN", "TCLU1234568")
    assert good.principal == "terminal:YTCT:terminal_ytct" and good.binding == "YTCT"
    assert (good.credential, good.channel, good.user_id) == ("token", "json", people["terminal_ytct"].principal.user_id)
    assert good.request_id == response.headers["X-Request-Id"] and good.at.timestamp() >= before - 1
    assert bad.outcome == "rejected" and bad.row_index == 1 and bad.event_id == "audit-bad\\u0000id"
    assert any("check digit" in reason for reason in bad.reasons or [])


def test_a_table_upload_is_audited_per_row_and_a_dry_run_not_at_all(
        client: FlaskClient, people: dict[str, Person], db: Sessions) -> None:
    assert post_table(client, people["terminal_ytct"], CSV, dry_run="1").status_code == 200
    assert audit_rows(db) == []
    assert post_table(client, people["terminal_ytct"], CSV).status_code == 202
    rows = audit_rows(db)
    assert [(r.row_index, r.outcome, r.channel) for r in rows] == [
        (0, "accepted", "csv"), (1, "rejected", "csv"), (2, "rejected", "csv"), (3, "accepted", "csv"),
        (5, "rejected", "csv")]


def test_a_publish_from_the_page_is_audited_as_the_session(client: FlaskClient, people: dict[str, Person],
                                                          db: Sessions) -> None:
    form = {"name": "port_office", "password": PASSWORD, "csrf_token": csrf_token(client.get("/login").data)}
    assert client.post("/login", data=form).status_code == 302
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.post("/api/v1/events", json=GOOD).status_code == 400  # no CSRF token: refused, not audited
    assert audit_rows(db) == []
    assert client.post("/api/v1/events", json=GOOD, headers={"X-CSRFToken": token}).status_code == 202
    [row] = audit_rows(db)
    assert (row.credential, row.principal, row.binding) == ("session", "port-office:all:port_office", None)


def test_recent_publishes_show_the_callers_own_binding(client: FlaskClient, people: dict[str, Person]) -> None:
    client.post("/api/v1/events", json=[GOOD, BAD], headers=people["terminal_ytct"].headers)
    mine = client.get("/api/v1/events/recent", headers=people["terminal_ytct"].headers).get_json()["items"]
    assert [(i["outcome"], i["event_id"]) for i in mine] == [("rejected", "audit-bad\\u0000id"), ("accepted", "audit-g1")]
    assert client.get("/api/v1/events/recent", headers=people["terminal_ytgd"].headers).get_json()["items"] == []
    assert len(client.get("/api/v1/events/recent", headers=people["port_office"].headers).get_json()["items"]) == 2


def test_a_publish_waits_a_bounded_time_for_the_write_lock_a_dry_run_not_at_all(
        client: FlaskClient, people: dict[str, Person], database_url: str, db: Sessions) -> None:
    with writer_holding_lock(database_url, 1.5) as committed:
        started = time.monotonic()
        dry = client.post("/api/v1/events?dry_run=1", json=GOOD, headers=people["terminal_ytct"].headers)
        assert dry.status_code == 200 and not committed.is_set()  # answered while the writer held the lock
        published = client.post("/api/v1/events", json=GOOD, headers=people["terminal_ytct"].headers)
        assert published.status_code == 202 and committed.is_set()  # waited for the writer, then wrote
        assert time.monotonic() - started < 10
    assert [r.event_id for r in audit_rows(db)] == ["audit-g1"]


def test_a_publish_that_cannot_have_the_write_lock_in_time_is_503_and_publishes_nothing(
        people: dict[str, Person], portal_settings: Settings, make_app: MakeApp, database_url: str,
        db: Sessions) -> None:
    client = make_app(portal_settings, write_wait_seconds=0.5).test_client()
    with writer_holding_lock(database_url, 2.5):
        response = client.post("/api/v1/events", json=GOOD, headers=people["terminal_ytct"].headers)
    assert response.status_code == 503 and response.get_json()["error"] == "unavailable"
    assert read_all(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic) == []
    assert audit_rows(db) == []


def test_events_kafka_did_not_store_are_audited_as_rejected(people: dict[str, Person], portal_settings: Settings,
                                                           make_app: MakeApp, db: Sessions) -> None:
    nowhere = dataclasses.replace(portal_settings, kafka_bootstrap_servers="127.0.0.1:9")
    client = make_app(nowhere, publish_timeout_seconds=1.0).test_client()
    assert client.post("/api/v1/events", json=GOOD, headers=people["terminal_ytct"].headers).status_code == 503
    [row] = audit_rows(db)
    assert row.outcome == "rejected" and "not stored by Kafka" in (row.reasons or [""])[0]
