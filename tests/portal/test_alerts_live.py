"""Alerts on Socket.IO /live: `subscribe {"scope": "alerts"}` for every role (snapshot of exactly its
alerts), the push of each alert to the scopes that see its visit only, and the whole way across
processes: the watcher's push through the real broker to a portal's subscribed clients."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from events.kafka import ensure_topics, make_producer
from ingest.alert_watch import AlertWatcher
from models.access import Principal
from models.alert_rules import seed_default_rules
from models.alerts import find_alert
from models.operations import store_events
from models.user import Role
from portal.alerts.feed import AlertFeedReader, to_sockets
from portal.alerts.sockets import broadcast_alert
from portal.extensions import socketio
from tests.portal.alert_world import NOW, alerts_seen, late_events, raise_alerts
from tests.portal.conftest import Person, Sessions
from tests.portal.world import ROLES
from tests.support.pipeline import wait_until

pytestmark = pytest.mark.usefixtures("world")
OFFICE = Principal(0, "office", Role.PORT_OFFICE.value, None, None)


def subscribed(app: Flask, person: Person) -> Any:
    client = socketio.test_client(app, namespace="/live", auth={"token": person.token})
    client.emit("subscribe", {"scope": "alerts"}, namespace="/live")
    return client


def received(client: Any, name: str) -> list[dict[str, Any]]:
    return [m["args"][0] for m in client.get_received("/live") if m["name"] == name]


def visits_of(alerts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(a["container_no"], a["direction"]) for a in alerts}


@pytest.fixture
def alert_ids(db: Sessions) -> Iterator[dict[tuple[str, str], int]]:
    with db() as session:
        ids = raise_alerts(session)
        session.commit()
    yield ids


@pytest.mark.parametrize("role", ROLES)
def test_the_snapshot_holds_exactly_the_roles_alerts(app: Flask, people: dict[str, Person], alert_ids: dict,
                                                     role: str) -> None:
    [snapshot] = received(subscribed(app, people[role]), "snapshot")
    assert snapshot["scope"] == "alerts"
    assert visits_of(snapshot["alerts"]) == alerts_seen(role) and snapshot["total"] == len(alerts_seen(role))


@pytest.mark.parametrize("who", ["revoked", "disabled"])
def test_no_valid_credentials_no_subscription(app: Flask, people: dict[str, Person], who: str) -> None:
    assert not socketio.test_client(app, namespace="/live", auth={"token": people[who].token}).is_connected("/live")
    assert not socketio.test_client(app, namespace="/live").is_connected("/live")


def test_each_alert_reaches_the_scopes_that_see_its_visit_only(app: Flask, people: dict[str, Person],
                                                                db: Sessions, alert_ids: dict) -> None:
    clients = {role: subscribed(app, people[role]) for role in ROLES}
    for client in clients.values():
        received(client, "snapshot")
    with db() as session:
        views = [find_alert(session, OFFICE, alert_id) for alert_id in alert_ids.values()]
    for view in views:
        broadcast_alert(view)  # type: ignore[arg-type]
    for role, client in clients.items():
        updates = received(client, "update")
        assert all(u["scope"] == "alerts" for u in updates)
        assert visits_of([u["alert"] for u in updates]) == alerts_seen(role), role
        assert len(updates) == len(alerts_seen(role))


def test_from_the_watcher_through_kafka_to_the_right_clients(  # type: ignore[no-untyped-def]
        app: Flask, people: dict[str, Person], db: Sessions, kafka_bootstrap: str, topic_names) -> None:
    """The watcher (its own sessions and producer, as in `clearance alerts`) raises the world's alerts
    at NOW with no event arriving; the portal's reader of the alerts topic pushes each to the clients
    of the scopes that see it."""
    topic = topic_names["alerts"]
    ensure_topics(kafka_bootstrap, {topic: 1})
    with db() as session:
        store_events(session, late_events())
        seed_default_rules(session, NOW)
        session.commit()
    clients = {role: subscribed(app, people[role]) for role in ROLES}
    assert all(received(c, "snapshot")[0]["alerts"] == [] for c in clients.values())
    reader = AlertFeedReader(kafka_bootstrap, topic, to_sockets(app))
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    producer = make_producer(kafka_bootstrap)
    seen: dict[str, list[dict[str, Any]]] = {role: [] for role in ROLES}
    try:
        wait_until(lambda: reader.ready, 30, "the alert reader positioned at the end")
        tick = AlertWatcher(db, producer, topic, clock=lambda: NOW).tick()
        assert (tick.raised, tick.pushed) == (3, 3)

        def all_arrived() -> bool:
            for role, client in clients.items():
                seen[role] += [u["alert"] for u in received(client, "update")]
            return all(len(seen[role]) >= len(alerts_seen(role)) for role in ROLES)
        wait_until(all_arrived, 30, "every scope's alerts")
    finally:
        reader.stop()
        thread.join(timeout=10)
        producer.close()
    for role in ROLES:
        assert visits_of(seen[role]) == alerts_seen(role) and len(seen[role]) == len(alerts_seen(role)), role
