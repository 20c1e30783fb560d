"""Browser login: CSRF on every form, wrong passwords, throttling kept in the database, cookie flags,
session access to the API (with CSRF on writes), logout."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from clearance.config import Settings
from models.user import set_disabled
from tests.portal.conftest import PASSWORD, MakeApp, Sessions
from tests.support.factories import doc


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1).decode()


def log_in(client: FlaskClient, name: str = "port_office", password: str = PASSWORD) -> TestResponse:
    token = csrf_token(client.get("/login").data)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def test_login_page_is_bilingual_and_carries_a_csrf_token(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "用户名" in text and "User name" in text and "密码" in text and "Password" in text
    assert csrf_token(page.data)


def test_home_sends_strangers_to_the_login_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


@pytest.mark.usefixtures("people")
def test_the_form_needs_its_csrf_token(client: FlaskClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "port_office", "password": PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    forged = client.post("/login", data={"name": "port_office", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.get("/api/v1/session").status_code == 401


@pytest.mark.usefixtures("people")
def test_login_sets_a_protected_session_cookie_and_opens_the_api(client: FlaskClient) -> None:
    response = log_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # loopback http
    session = client.get("/api/v1/session").get_json()
    assert (session["name"], session["role"]) == ("port_office", "port-office") and session["csrf_token"]
    assert client.get("/api/v1/containers").status_code == 200
    home = client.get("/")
    assert home.status_code == 200 and "port_office" in home.get_data(as_text=True)


@pytest.mark.usefixtures("people")
def test_home_serves_static_index_when_there_is_one(client: FlaskClient, app: Flask) -> None:
    static_dir: Path = app.config["PORTAL"].static_dir
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "index.html").write_text("<!doctype html><title>live portal</title>")
    log_in(client)
    assert "live portal" in client.get("/").get_data(as_text=True)


@pytest.mark.usefixtures("people")
def test_session_writes_to_the_api_need_the_csrf_header(client: FlaskClient) -> None:
    log_in(client)
    event = doc("GATE_IN", "by-browser", "2026-11-20T08:00:00+08:00")
    refused = client.post("/api/v1/events", json=event)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf_failed"
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    accepted = client.post("/api/v1/events", json=event, headers={"X-CSRFToken": token})
    assert accepted.status_code == 202 and accepted.get_json()["accepted"] == ["by-browser"]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("name, password", [("port_office", "wrong password"), ("nobody", PASSWORD),
                                            ("enterprise_a", "")])  # enterprise_a has no password at all
def test_wrong_name_or_password(client: FlaskClient, name: str, password: str) -> None:
    response = log_in(client, name, password or "anything")
    assert response.status_code == 401
    assert "Wrong user name or password" in response.get_data(as_text=True)
    assert client.get("/api/v1/session").status_code == 401


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("name", ["port_office", "nobody"])
def test_repeated_failures_are_throttled_for_every_portal_process(
        client: FlaskClient, name: str, portal_settings: Settings, make_app: MakeApp) -> None:
    for _ in range(5):
        assert log_in(client, name, "wrong password").status_code == 401
    throttled = log_in(client, name, PASSWORD)  # even the right password waits
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed attempts" in throttled.get_data(as_text=True)
    other = make_app(portal_settings)  # another portal process on the same database agrees
    assert log_in(other.test_client(), name, PASSWORD).status_code == 429
    assert log_in(client, "enterprise_b", "wrong password").status_code == 401  # others are not affected


@pytest.mark.usefixtures("people")
def test_a_successful_login_starts_the_count_again(client: FlaskClient) -> None:
    for _ in range(4):
        log_in(client, "port_office", "wrong password")
    assert log_in(client).status_code == 302
    for _ in range(4):
        assert log_in(client, "port_office", "wrong password").status_code == 401


@pytest.mark.usefixtures("people")
def test_a_disabled_users_session_stops_working(client: FlaskClient, db: Sessions) -> None:
    log_in(client)
    assert client.get("/api/v1/containers").status_code == 200
    with db() as session:
        set_disabled(session, "port_office", True)
        session.commit()
    assert client.get("/api/v1/containers").status_code == 401
    assert client.get("/").status_code == 302
    assert log_in(client).status_code == 401


@pytest.mark.usefixtures("people")
def test_logout_needs_csrf_and_ends_the_session(client: FlaskClient) -> None:
    log_in(client)
    assert client.post("/logout").status_code == 400
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/api/v1/containers").status_code == 401


@pytest.mark.usefixtures("people")
def test_the_csrf_token_survives_requests_that_raced_the_first_session_call(client: FlaskClient) -> None:
    """The page asks for its CSRF token while its other first requests are in flight; a response that
    started from the login cookie and lands last must not take the token out of the session."""
    log_in(client)
    login_cookie = client.get_cookie("session")
    assert login_cookie is not None
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    client.set_cookie("session", login_cookie.value)  # the racing request was sent with this cookie
    assert client.get("/api/v1/containers").status_code == 200  # ... and its answer came back last
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/login")


@pytest.mark.usefixtures("people")
def test_cookies_are_secure_when_not_on_loopback(portal_settings: Settings, make_app: MakeApp) -> None:
    client = make_app(dataclasses.replace(portal_settings, portal_host="0.0.0.0")).test_client()
    token = csrf_token(client.get("/login", base_url="https://portal.example").data)
    response = client.post("/login", base_url="https://portal.example", headers={
        "Referer": "https://portal.example/login"},
        data={"name": "port_office", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_favicon_is_never_a_404(client: FlaskClient, app: Flask) -> None:
    assert client.get("/favicon.ico").status_code == 204
    static_dir: Path = app.config["PORTAL"].static_dir
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data == b"\x00\x00\x01\x00"
