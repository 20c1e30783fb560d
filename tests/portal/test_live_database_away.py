"""Live subscriptions while the database is away (PostgreSQL behind a relay the test cuts): a subscribe
answers `unavailable` with the API's 503 body and when to try again, a new connection is refused with
the same body, nothing is logged as an error, and once the database is back the same subscribe gets
its snapshot."""
from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from ingest.change_feed import feed_messages, stand_in
from portal.db import db_session
from portal.extensions import socketio
from portal.live import _in_app
from portal.live.feed import FeedReader
from tests.portal.conftest import MakeApp, Person
from tests.portal.world import A1
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.usefixtures("world"), pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]


@pytest.fixture
def relayed_app(make_app: MakeApp, make_settings, database_url: str, relay: TcpProxy) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(make_settings(relay.url(database_url)))


def subscribe(client: Any, container_no: str) -> list[tuple[str, Any]]:
    client.emit("subscribe", {"container_no": container_no}, namespace="/live")
    return [(m["name"], m["args"][0]) for m in client.get_received("/live")]


def test_a_subscription_while_the_database_is_away_is_told_to_come_back(  # type: ignore[no-untyped-def]
        relayed_app: Flask, relay: TcpProxy, people: dict[str, Person], caplog) -> None:
    token = {"token": people["enterprise_a"].token}
    client = socketio.test_client(relayed_app, namespace="/live", auth=token)
    assert [name for name, _ in subscribe(client, A1)] == ["snapshot"]
    relay.cut()
    with caplog.at_level(logging.WARNING):
        [(name, body)] = subscribe(client, A1)
        refused = socketio.test_client(relayed_app, namespace="/live", auth=token)
    assert name == "unavailable"
    assert body["request"] == {"container_no": A1} and body["retry_after"] == 5
    assert body["error"] == "unavailable" and "database" in body["message"]
    assert not refused.is_connected("/live")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a database outage is no error"
    assert any("database unreachable" in r.getMessage() for r in caplog.records)
    relay.start()
    deadline = time.monotonic() + 20
    while (answer := subscribe(client, A1)) and answer[0][0] != "snapshot":  # stale pooled connections go
        assert time.monotonic() < deadline, answer
        time.sleep(0.5)
    assert answer[0][1]["container_no"] == A1


def test_a_session_cut_mid_transaction_closes_in_one_warning(relayed_app: Flask, relay: TcpProxy, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        with relayed_app.app_context():  # its teardown closes the session: it must not raise
            db_session().execute(text("SELECT 1"))
            relay.cut()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    [lost] = [r.getMessage() for r in caplog.records if "session closed" in r.getMessage()]
    assert lost.startswith("database connection lost before the request's session closed (OperationalError: ")


def test_a_stand_in_while_the_database_is_away_is_one_warning(  # type: ignore[no-untyped-def]
        relayed_app: Flask, relay: TcpProxy, people: dict[str, Person], caplog) -> None:
    """A state too large for the feed comes as a stand-in the portal reads from the database: with the
    database away it is not pushed, logged as one warning, and the reader goes on."""
    client = socketio.test_client(relayed_app, namespace="/live", auth={"token": people["port_office"].token})
    assert [name for name, _ in subscribe(client, A1)] == ["snapshot"]
    [(_, value)] = feed_messages([(A1, 10_000, [])])
    reader = FeedReader("127.0.0.1:1", "unused", _in_app(relayed_app))
    relay.cut()
    with caplog.at_level(logging.WARNING):
        reader.dispatch(stand_in(value))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any(f"container {A1} too large for the feed, and the database is away" in r.getMessage()
               for r in caplog.records)
    assert [m["name"] for m in client.get_received("/live")] == []
