"""POST /api/v1/events on the real broker: what is accepted is on the topic, keyed as the contract says,
before the answer; what is not gets its reasons."""
from __future__ import annotations

import dataclasses
import json
import time

import pytest
from flask.testing import FlaskClient

from clearance.config import Settings
from tests.portal.conftest import MakeApp, Person
from tests.support.factories import doc
from tests.support.pipeline import read_all

GATE_IN = doc("GATE_IN", "post-g1", "2026-11-20T08:00:00+08:00")
RELEASE = doc("CUSTOMS_RELEASED", "post-r1", "2026-11-20T09:00:00+08:00", source="CUSTOMS", publisher="4201",
              container_no=None, vessel_imo=None, voyage=None, terminal=None,
              declaration_no="420120260000000123", containers=["CICU3789922"])


def test_accepted_events_are_on_the_topic_when_the_answer_comes(
        client: FlaskClient, people: dict[str, Person], portal_settings: Settings) -> None:
    response = client.post("/api/v1/events", json=[GATE_IN, RELEASE, {"schema_version": 1}],
                           headers=people["port_office"].headers)
    assert response.status_code == 202
    assert response.get_json()["accepted"] == ["post-g1", "post-r1"]
    assert response.get_json()["rejected"][0]["index"] == 2
    records = read_all(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic)
    on_topic = {json.loads(r.value)["event_id"]: r for r in records}
    assert set(on_topic) == {"post-g1", "post-r1"}
    assert on_topic["post-g1"].key == b"CICU3789922"
    assert on_topic["post-r1"].key == b"420120260000000123"
    assert json.loads(on_topic["post-g1"].value)["occurred_at"] == "2026-11-20T00:00:00.000000Z"  # normal form


def test_a_single_object_is_one_event(client: FlaskClient, people: dict[str, Person],
                                      portal_settings: Settings) -> None:
    response = client.post("/api/v1/events", json=GATE_IN, headers=people["terminal_ytct"].headers)
    assert response.status_code == 202 and response.get_json() == {"accepted": ["post-g1"], "rejected": []}
    assert len(read_all(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic)) == 1


def test_nothing_accepted_is_400_with_the_same_body(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.post("/api/v1/events", json=[{**GATE_IN, "type": "TEA_BREAK"}, "text"],
                           headers=people["port_office"].headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["accepted"] == [] and body["error"] == "no_event_accepted"
    assert body["rejected"][0]["index"] == 0 and "type: Must be one of" in body["rejected"][0]["reasons"][0]
    assert body["rejected"][1] == {"index": 1, "reasons": ["not a JSON object but a JSON string"]}


def test_a_message_too_large_for_the_contract_is_refused(client: FlaskClient, people: dict[str, Person]) -> None:
    big = {**GATE_IN, "detail": {f"k{i}": "x" * 30 for i in range(200)}}  # over the 4 KiB detail limit
    response = client.post("/api/v1/events", json=big, headers=people["port_office"].headers)
    assert response.status_code == 400
    assert "detail is" in response.get_json()["rejected"][0]["reasons"][0]


def test_a_message_over_the_configured_size_is_refused(people: dict[str, Person], portal_settings: Settings,
                                                       make_app: MakeApp) -> None:
    small = make_app(dataclasses.replace(portal_settings, max_message_bytes=300))
    response = small.test_client().post("/api/v1/events", json=GATE_IN, headers=people["port_office"].headers)
    assert response.status_code == 400
    [reason] = response.get_json()["rejected"][0]["reasons"]
    assert "bytes as a message, more than the limit of 300" in reason


@pytest.mark.parametrize("body, content_type, message", [
    ("[]", "application/json", "no event"),
    (json.dumps([GATE_IN] * 501), "application/json", "at most 500 events"),
    ("{not json", "application/json", "not acceptable JSON"),
    ('{"a": NaN}', "application/json", "not acceptable JSON"),
    ("[" * 100_000 + "]" * 100_000, "application/json", "not acceptable JSON"),
    (json.dumps(GATE_IN), "text/plain", "application/json"),
])
def test_unusable_bodies(client: FlaskClient, people: dict[str, Person], body: str, content_type: str,
                         message: str) -> None:
    response = client.post("/api/v1/events", data=body, content_type=content_type,
                           headers=people["port_office"].headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request" and message in response.get_json()["message"]


def test_kafka_down_is_503_and_nothing_is_claimed(people: dict[str, Person], portal_settings: Settings,
                                                   make_app: MakeApp) -> None:
    nowhere = dataclasses.replace(portal_settings, kafka_bootstrap_servers="127.0.0.1:9")
    client = make_app(nowhere, publish_timeout_seconds=2.0).test_client()
    started = time.monotonic()
    response = client.post("/api/v1/events", json=GATE_IN, headers=people["port_office"].headers)
    assert response.status_code == 503 and time.monotonic() - started < 20
    assert response.get_json() == {"error": "unavailable",
                                   "message": "Kafka did not store the events; nothing was published, try again"}
