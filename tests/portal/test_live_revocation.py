"""Live connections end when their credentials do: a revoked token, a disabled user, a logged-out or
expired login session. The portal's own watcher (a real background task, every 2 s) disconnects them;
until it does, `subscribe` already refuses them. Other connections are left alone."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models.user import list_tokens, revoke_token, set_disabled
from portal.extensions import socketio
from tests.portal.conftest import Person, Sessions
from tests.portal.test_live_sockets import connect, received
from tests.portal.test_login import log_in
from tests.portal.test_login_sessions import backdate_login, log_out
from tests.portal.world import A1

pytestmark = pytest.mark.usefixtures("world")
DISCONNECT_WITHIN = 6.0  # seconds: the watcher checks every 2 s


def disconnected_within(client: Any, seconds: float) -> float | None:
    """How long until the server disconnected the client, or None if it did not in time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not client.is_connected("/live"):
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def revoke(db: Sessions, name: str) -> None:
    with db() as session:
        [(token, _)] = list_tokens(session, name)
        revoke_token(session, token.id)
        session.commit()


def disable(db: Sessions, name: str) -> None:
    with db() as session:
        set_disabled(session, name, True)
        session.commit()


@pytest.mark.parametrize("end", [revoke, disable], ids=["token revoked", "user disabled"])
def test_a_token_client_is_disconnected_when_its_token_stops_working(
        app: Flask, people: dict[str, Person], db: Sessions, end: Callable[[Sessions, str], None]) -> None:
    client, bystander = connect(app, people["enterprise_a"]), connect(app, people["port_office"])
    assert client.is_connected("/live") and bystander.is_connected("/live")
    end(db, "enterprise_a")
    assert disconnected_within(client, DISCONNECT_WITHIN) is not None
    assert bystander.is_connected("/live")


@pytest.mark.parametrize("end", ["logout", "expiry"])
def test_a_browser_is_disconnected_when_its_login_session_ends(
        app: Flask, client: FlaskClient, people: dict[str, Person], db: Sessions, end: str) -> None:
    log_in(client)
    browser = socketio.test_client(app, namespace="/live", flask_test_client=client)
    bystander = connect(app, people["enterprise_a"])
    assert browser.is_connected("/live")
    if end == "logout":
        log_out(client)
    else:
        backdate_login(db, timedelta(hours=12, seconds=1))
    assert disconnected_within(browser, DISCONNECT_WITHIN) is not None
    assert bystander.is_connected("/live")


def test_subscribe_is_refused_as_soon_as_the_token_is_revoked(
        app: Flask, people: dict[str, Person], db: Sessions) -> None:
    app.extensions["clearance_revocation"].stop()  # this is about subscribe, before any disconnect
    client = connect(app, people["enterprise_a"])
    revoke(db, "enterprise_a")
    client.emit("subscribe", {"container_no": A1}, namespace="/live")
    assert [n for n, _ in received(client)] == ["not_found"]


def test_subscribe_is_refused_as_soon_as_the_session_is_logged_out(
        app: Flask, client: FlaskClient, people: dict[str, Person]) -> None:
    app.extensions["clearance_revocation"].stop()
    log_in(client)
    browser = socketio.test_client(app, namespace="/live", flask_test_client=client)
    browser.emit("subscribe", {"container_no": A1}, namespace="/live")
    assert [n for n, _ in received(browser)] == ["snapshot"]
    log_out(client)
    browser.emit("subscribe", {"container_no": A1}, namespace="/live")
    assert [n for n, _ in received(browser)] == ["not_found"]
