"""The portal's operator endpoints on real databases and the real broker: /healthz, /readyz (which check
failed), /metrics (requests by route rule and status, live push, the feed's position), without login
and without a tenant's data."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from clearance.config import Settings
from events.kafka import ensure_topics
from ingest.change_feed import update_message
from models.operations import container_visits
from portal.extensions import socketio
from portal.live import feed_reader
from portal.live.feed import FeedReader
from tests.portal.conftest import MakeApp, Person, Sessions
from tests.portal.world import A1, A2, B1, USCC_A
from tests.support.pipeline import produce, wait_until

NOWHERE_DATABASE = "postgresql://nobody:wrong@127.0.0.1:1/none"


def samples(client: FlaskClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """(name, labels) -> value of every sample /metrics answers."""
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for s in family.samples}


def requests_of(found: dict[tuple[str, frozenset[tuple[str, str]]], float], route: str, status: int) -> float:
    labels = frozenset({"route": route, "method": "GET", "status": str(status)}.items())
    return found.get(("clearance_portal_http_requests_total", labels), 0.0)


@pytest.fixture
def running_feed(app: Flask, kafka_bootstrap: str, topic_names: dict[str, str]) -> Iterator[FeedReader]:
    """The app's change-feed reader, wired as `clearance portal` wires it, running until the test ends."""
    ensure_topics(kafka_bootstrap, {topic_names["updates"]: 2})
    reader = feed_reader(app)
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    yield reader
    reader.stop()
    thread.join(timeout=10)


def test_healthz_answers_without_login(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "ok\n")


@pytest.mark.usefixtures("world")
def test_requests_are_counted_by_route_rule_and_status_without_container_numbers(
        client: FlaskClient, people: dict[str, Person]) -> None:
    for container_no in (A1, A2, B1):
        answer = client.get(f"/api/v1/containers/{container_no}", headers=people["port_office"].headers)
        assert answer.status_code == 200
    assert client.get(f"/api/v1/containers/{A1}").status_code == 401
    assert client.get(f"/api/v1/containers/{B1}", headers=people["enterprise_a"].headers).status_code == 404
    assert client.get(f"/nowhere/{A1}").status_code == 404
    found = samples(client)
    assert requests_of(found, "/api/v1/containers/<container_no>", 200) == 3
    assert requests_of(found, "/api/v1/containers/<container_no>", 401) == 1
    assert requests_of(found, "/api/v1/containers/<container_no>", 404) == 1
    assert requests_of(found, "(unmatched)", 404) == 1
    histogram = ("clearance_portal_http_request_duration_seconds_count",
                 frozenset({"route": "/api/v1/containers/<container_no>"}.items()))
    assert found[histogram] == 5
    text = client.get("/metrics").get_data(as_text=True)
    assert requests_of(samples(client), "/metrics", 200) == 2  # the scrapes count too
    for tenant_data in (A1, A2, B1, USCC_A, "nowhere", "port_office"):
        assert tenant_data not in text


def test_a_method_nobody_uses_is_counted_as_other(client: FlaskClient) -> None:
    client.open("/healthz", method="BREW")
    labels = frozenset({"route": "(unmatched)", "method": "other", "status": "405"}.items())
    assert samples(client)[("clearance_portal_http_requests_total", labels)] == 1


def test_readyz_names_the_database_when_it_points_nowhere(
        make_app: MakeApp, make_settings: Callable[..., Settings]) -> None:
    client = make_app(make_settings(NOWHERE_DATABASE)).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None
    assert answer.json["failed"] == ["database"] and answer.json["checks"]["kafka"] == "ok"
    assert "nobody" not in answer.get_data(as_text=True)  # the driver's words are logged, not answered
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_readyz_names_kafka_when_the_broker_does_not_answer(
        make_app: MakeApp, make_settings: Callable[..., Settings], sqlite_url: str) -> None:
    answer = make_app(make_settings(sqlite_url, kafka_bootstrap_servers="127.0.0.1:1")).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json is not None and answer.json["failed"] == ["kafka"]


def test_readyz_waits_for_the_feed_then_answers_200(app: Flask, client: FlaskClient, kafka_bootstrap: str,
                                                    topic_names: dict[str, str]) -> None:
    ensure_topics(kafka_bootstrap, {topic_names["updates"]: 2})
    reader = feed_reader(app)  # not running yet: not positioned
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json is not None and answer.json["failed"] == ["feed"]
    assert answer.json["checks"]["feed"] == "not positioned at its topic's end yet"
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: reader.ready, 30, "the feed positioned")
        answer = client.get("/readyz")
    finally:
        reader.stop()
        thread.join(timeout=10)
    assert answer.status_code == 200
    assert answer.json == {"ready": True, "failed": [], "checks": {"database": "ok", "kafka": "ok", "feed": "ok"}}


@pytest.mark.usefixtures("world")
def test_live_push_is_measured(app: Flask, client: FlaskClient, people: dict[str, Person], db: Sessions,
                               running_feed: FeedReader, kafka_bootstrap: str, topic_names: dict[str, str]) -> None:
    watcher = socketio.test_client(app, namespace="/live", auth={"token": people["port_office"].token})
    watcher.emit("subscribe", {"container_no": A1}, namespace="/live")
    watcher.emit("subscribe", {"scope": "mine"}, namespace="/live")
    watcher.get_received("/live")
    found = samples(client)
    assert found[("clearance_portal_live_clients", frozenset())] == 1
    assert found[("clearance_portal_subscriptions", frozenset({"kind": "container"}.items()))] == 1
    assert found[("clearance_portal_subscriptions", frozenset({"kind": "mine"}.items()))] == 1
    wait_until(lambda: running_feed.ready, 30, "the feed positioned")
    with db() as session:
        visits = container_visits(session, A1)
    produce(kafka_bootstrap, topic_names["updates"], [(A1.encode(), update_message(A1, 500, visits))], partitions=2)
    received: list[str] = []

    def both_updates() -> bool:
        received.extend(m["name"] for m in watcher.get_received("/live"))
        return received.count("update") == 2
    wait_until(both_updates, 30, "the update in the container room and in the mine room")
    found = samples(client)
    watcher.disconnect(namespace="/live")
    assert found[("clearance_portal_pushes_total", frozenset())] == 2
    assert found[("clearance_portal_push_latency_seconds_count", frozenset())] == 1
    assert 0 <= found[("clearance_portal_push_latency_seconds_sum", frozenset())] < 30
    assert found[("clearance_portal_feed_ready", frozenset())] == 1
    positions = {dict(labels)["partition"]: value for (name, labels), value in found.items()
                 if name == "clearance_portal_feed_position"}
    assert sorted(positions) == ["0", "1"] and sum(positions.values()) == 1
