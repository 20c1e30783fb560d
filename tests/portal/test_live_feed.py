"""The change-feed reader on the real broker survives any message: one it cannot read, or one whose
update fails on the way to the browsers (a 500-level detail made python-socketio raise RecursionError),
is logged and dropped, and the next update still reaches the subscribers."""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from events.kafka import ensure_topics
from ingest.change_feed import feed_messages, stand_in, update_message
from models import Container
from models.operations import container_visits
from portal.extensions import socketio
from portal.live import _in_app
from portal.live.feed import FeedReader
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, VISIBLE
from tests.support.bad_inputs import nested
from tests.support.pipeline import produce, wait_until

pytestmark = pytest.mark.usefixtures("world")

UNREADABLE = [b"not json", b"[" * 100_000, b"null", b"[1, 2]", b'{"container_no": 5, "version": 1, "visits": []}',
              b'{"container_no": "CICU3789922", "version": "1000", "visits": []}',
              b'{"container_no": "CICU3789922", "version": 1000, "visits": "none"}', b"\xff\xfe",
              b'{"updates": "none"}', b'{"updates": [null, 1, []]}', b'{"updates": [{"container_no": "CICU3789922"}]}']


def _deep(visits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The container's visits with the 500-level detail the contract used to let through."""
    poisoned = copy.deepcopy(visits)
    poisoned[0]["timeline"][0]["detail"] = nested(500)
    return poisoned


def test_the_feed_reader_survives_poison_and_delivers_the_next_update(  # type: ignore[no-untyped-def]
        app: Flask, people: dict[str, Person], db: Sessions, kafka_bootstrap: str, topic_names) -> None:
    topic = topic_names["updates"]
    ensure_topics(kafka_bootstrap, {topic: 1})
    watcher = socketio.test_client(app, namespace="/live", auth={"token": people["port_office"].token})
    watcher.emit("subscribe", {"container_no": A1}, namespace="/live")
    watcher.get_received("/live")
    with db() as session:
        visits = container_visits(session, A1)
    reader = FeedReader(kafka_bootstrap, topic, _in_app(app))
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: reader.ready, 30, "the feed reader positioned at the end")
        poison = [*feed_messages([(A1, 1000, _deep(visits))]), (A1.encode(), update_message(A1, 1001, _deep(visits))),
                  *((None, v) for v in UNREADABLE)]
        produce(kafka_bootstrap, topic, [*poison, *feed_messages([(A1, 1002, visits)])], partitions=1)
        versions: list[int] = []
        wait_until(lambda: versions.extend(m["args"][0]["version"] for m in watcher.get_received("/live")
                                           if m["name"] == "update") or 1002 in versions, 30, "update 1002")
    finally:
        reader.stop()
        thread.join(timeout=10)
    assert versions == [1002]
    assert not thread.is_alive()


def failing_on_bad(delivered: list[tuple[str, int]]) -> Callable[[str, int, list[dict[str, Any]]], None]:
    """An `on_update` that raises as python-socketio did for container "BAD" and records the others."""
    def on_update(container_no: str, version: int, visits: list[dict[str, Any]]) -> None:
        if container_no == "BAD":
            raise RecursionError("maximum recursion depth exceeded")
        delivered.append((container_no, version))
    return on_update


def test_dispatch_drops_what_on_update_fails_on_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    delivered: list[tuple[str, int]] = []
    reader = FeedReader("127.0.0.1:1", "unused", failing_on_bad(delivered))
    assert reader.dispatch(update_message("BAD", 1, [])) is False
    assert reader.dispatch(update_message(A1, 1, [])) is True
    assert [reader.dispatch(value) for value in UNREADABLE] == [False] * len(UNREADABLE)
    assert reader.dispatch(update_message(A1, 2, [])) is True
    assert delivered == [(A1, 1), (A1, 2)]
    assert "BAD" in caplog.text and "RecursionError" in caplog.text


def test_a_message_of_many_updates_hands_on_each_readable_newer_one(caplog: pytest.LogCaptureFixture) -> None:
    """The form workers send (ingest.change_feed.feed_messages): one update failing, or of the wrong
    shape, or older than what was seen, does not keep the others of its message back."""
    delivered: list[tuple[str, int]] = []
    reader = FeedReader("127.0.0.1:1", "unused", failing_on_bad(delivered))
    assert reader.dispatch(update_message(A1, 5, [])) is True  # one update alone, as earlier releases send
    [(_, value)] = feed_messages([("BAD", 1, []), (A1, 4, []), ("B2", 1, []), (A1, 6, [])])
    assert reader.dispatch(value.replace(b'"B2","version":1', b'"B2","version":"1"', 1)) is True
    assert delivered == [(A1, 5), (A1, 6)]
    assert "BAD" in caplog.text and "wrong shape" in caplog.text
    [(_, value)] = feed_messages([(A1, 6, []), ("B2", 1, [])])
    assert reader.dispatch(value) is True
    assert reader.dispatch(value) is False
    assert delivered == [(A1, 5), (A1, 6), ("B2", 1)]


def test_the_versions_kept_are_the_containers_updated_last() -> None:
    delivered: list[tuple[str, int]] = []
    reader = FeedReader("127.0.0.1:1", "unused", lambda c, v, _: delivered.append((c, v)), kept=3)
    for container_no in ("C1", "C2", "C3"):
        reader.dispatch(update_message(container_no, 5, []))
    reader.dispatch(update_message("C1", 6, []))  # C1 is now the one updated last, C2 the oldest
    reader.dispatch(update_message("C4", 1, []))
    assert list(reader.latest) == ["C3", "C1", "C4"]
    assert reader.dispatch(update_message("C1", 6, [])) is False  # still known: a repeat is dropped
    assert reader.dispatch(update_message("C2", 5, [])) is True  # forgotten: handed on again, the receivers drop it
    assert len(reader.latest) == 3 and delivered[-1] == ("C2", 5)


def test_a_stand_in_for_a_state_too_large_for_the_feed_pushes_the_stored_state(  # type: ignore[no-untyped-def]
        app: Flask, people: dict[str, Person], db: Sessions) -> None:
    """ingest.change_feed sends `"visits": null` for a state the topic refused as too large: the portal
    takes the container's state from the database and pushes it as any update, each subscriber getting
    only the visits it may see."""
    clients = {role: socketio.test_client(app, namespace="/live", auth={"token": people[role].token})
               for role in ("port_office", "enterprise_a", "enterprise_b")}
    for client in clients.values():
        client.emit("subscribe", {"container_no": A1}, namespace="/live")
        client.get_received("/live")
    with db() as session:
        stored = session.get(Container, A1)
        assert stored is not None
        version = stored.version
    [(_, value)] = feed_messages([(A1, version, [{"timeline": ["too large to send"]}])])
    reader = FeedReader("127.0.0.1:1", "unused", _in_app(app))
    assert reader.dispatch(stand_in(value)) is True
    for role, client in clients.items():
        [update] = [m["args"][0] for m in client.get_received("/live") if m["name"] == "update"]
        assert update["version"] == version, role
        assert {v["direction"] for v in update["visits"]} == VISIBLE[role][A1], role
        assert all(v["timeline"] and "too large to send" not in v["timeline"] for v in update["visits"]), role
