"""Login sessions kept in the database: logout ends them for every copy of the cookie and every portal
process, they end 12 hours after login however recently used, and answers do not re-issue the cookie."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import column, table, update

from clearance.config import Settings
from models.base import UTCDateTime
from models.login_session import end_user_sessions
from models.user import now, set_disabled
from tests.portal.conftest import MakeApp, Sessions
from tests.portal.test_login import log_in

pytestmark = pytest.mark.usefixtures("people")
LOGIN_SESSIONS = table("login_sessions", column("created_at", UTCDateTime))  # the rows the portal keeps


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def log_out(client: FlaskClient) -> None:
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def backdate_login(db: Sessions, age: timedelta) -> None:
    with db() as session:
        session.execute(update(LOGIN_SESSIONS).values(created_at=now() - age))
        session.commit()


def test_a_cookie_captured_before_logout_is_refused_after_it(client: FlaskClient, app: Flask) -> None:
    log_in(client)
    captured = session_cookie(client)
    log_out(client)
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/api/v1/containers").status_code == 401
    assert thief.get("/").status_code == 302  # the page sends it to the login form


def test_logout_on_one_portal_process_ends_the_session_on_the_others(
        client: FlaskClient, portal_settings: Settings, make_app: MakeApp) -> None:
    other = make_app(portal_settings).test_client()
    log_in(client)
    other.set_cookie("session", session_cookie(client))
    assert other.get("/api/v1/containers").status_code == 200
    log_out(client)
    assert other.get("/api/v1/containers").status_code == 401


@pytest.mark.parametrize("age, status", [(timedelta(hours=11, minutes=59), 200),
                                         (timedelta(hours=12, seconds=1), 401)])
def test_a_session_ends_12_hours_after_login_however_recently_used(
        client: FlaskClient, db: Sessions, age: timedelta, status: int) -> None:
    log_in(client)
    backdate_login(db, age - timedelta(minutes=1))
    assert client.get("/api/v1/containers").status_code == 200  # used a minute ago...
    backdate_login(db, age)  # ...and now it is this old
    assert client.get("/api/v1/containers").status_code == status
    assert client.get("/api/v1/session").status_code == status


def test_answers_do_not_reissue_the_session_cookie(client: FlaskClient) -> None:
    login = log_in(client)
    [issued] = [c for c in login.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Expires=" in issued  # the login cookie lives as long as the session, no longer
    for path in ("/api/v1/containers", "/api/v1/session", "/", "/api/v1/containers"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")], path


def test_a_new_login_replaces_the_browsers_session(client: FlaskClient, app: Flask) -> None:
    log_in(client)
    first = session_cookie(client)
    log_in(client)
    assert session_cookie(client) != first
    old = app.test_client()
    old.set_cookie("session", first)
    assert old.get("/api/v1/containers").status_code == 401
    assert client.get("/api/v1/containers").status_code == 200


def test_disabling_a_user_ends_its_sessions_for_good(client: FlaskClient, db: Sessions) -> None:
    """Enabling the user again later must not bring back a browser session from before."""
    log_in(client)
    with db() as session:
        assert end_user_sessions(session, set_disabled(session, "port_office", True)) == 1
        session.commit()
    assert client.get("/api/v1/containers").status_code == 401
    with db() as session:
        set_disabled(session, "port_office", False)
        session.commit()
    assert client.get("/api/v1/containers").status_code == 401
    log_in(client)
    assert client.get("/api/v1/containers").status_code == 200
