"""What a person sees when a page request fails (the portal's own page, in Chinese and English), what an
API caller gets (JSON), and the request id that ties an unexpected error's answer to its logged
traceback."""
from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import BadRequest
from werkzeug.test import TestResponse

from clearance.config import Settings
from portal.errors import Unavailable
from tests.portal.conftest import MakeApp

BUSY = "the database is busy; nothing was changed, try again in a moment"


def _crash() -> str:
    raise RuntimeError("boom in the test route")


def _busy() -> str:
    raise Unavailable(BUSY)


def _bad() -> str:
    raise BadRequest("the container number is missing")


@pytest.fixture
def app(make_app: MakeApp, make_settings: Callable[..., Settings], sqlite_url: str) -> Flask:
    """The portal with test-only routes that fail (on SQLite alone: nothing here depends on storage)."""
    portal = make_app(make_settings(sqlite_url))
    for path, view in (("/test/crash", _crash), ("/api/v1/test/crash", _crash),
                       ("/test/busy", _busy), ("/api/v1/test/busy", _busy), ("/test/bad", _bad)):
        portal.add_url_rule(path, path, view)
    return portal


def page_text(response: TestResponse) -> str:
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "烟台港通关状态" in text and 'href="/"' in text  # the portal's page, with the way home
    assert "Werkzeug" not in text and "<title>500 Internal Server Error</title>" not in text
    return text


def test_an_unexpected_error_shows_the_request_id_that_finds_its_traceback(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        response = client.get("/test/crash")
    assert response.status_code == 500
    request_id = response.headers["X-Request-Id"]
    assert len(request_id) == 12
    text = page_text(response)
    assert "系统出错了" in text and "Something went wrong" in text
    assert f"<code>{request_id}</code>" in text
    assert "boom in the test route" not in text  # a bug's details are for the log, not the person
    [record] = [r for r in caplog.records if request_id in r.getMessage()]
    assert record.levelno == logging.ERROR and "GET /test/crash" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "Traceback (most recent call last)" in caplog.text and "boom in the test route" in caplog.text


def test_an_unexpected_api_error_is_json_with_the_request_id(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        response = client.get("/api/v1/test/crash")
    assert response.status_code == 500 and response.is_json
    body = response.get_json()
    assert body["error"] == "internal_error" and body["request_id"] == response.headers["X-Request-Id"]
    assert body["request_id"] in body["message"]
    assert any(body["request_id"] in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_missing_page_is_the_portals_page_in_both_languages(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    text = page_text(response)
    assert "找不到该页面" in text and "请核对地址" in text
    assert "Page not found" in text and "Check the address" in text
    assert "<code>" not in text  # no request id to quote: nothing went wrong on our side


def test_api_errors_stay_json(client: FlaskClient) -> None:
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    busy = client.get("/api/v1/test/busy")
    assert busy.status_code == 503 and busy.get_json() == {"error": "unavailable", "message": BUSY}


def test_a_wrong_method_is_the_portals_page_and_keeps_allow(client: FlaskClient) -> None:
    response = client.delete("/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    text = page_text(response)
    assert "不支持该操作" in text and "Not possible here" in text


def test_a_bad_request_says_what_was_wrong(client: FlaskClient) -> None:
    response = client.get("/test/bad")
    assert response.status_code == 400
    text = page_text(response)
    assert "请求无效" in text and "Invalid request" in text and "the container number is missing" in text


def test_an_expired_form_sends_the_person_to_log_in_again(client: FlaskClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"name": "someone", "password": "x", "csrf_token": "forged"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "页面已过期" in text and "The page has expired" in text and 'href="/login"' in text


def test_a_busy_database_is_a_503_page_with_its_message(client: FlaskClient) -> None:
    response = client.get("/test/busy")
    assert response.status_code == 503
    text = page_text(response)
    assert "服务暂时繁忙" in text and "Busy right now" in text and BUSY in text
    assert f"<code>{response.headers['X-Request-Id']}</code>" in text


def test_every_answer_carries_its_own_request_id(client: FlaskClient) -> None:
    ids = {client.get("/login").headers["X-Request-Id"], client.get("/api/v1/session").headers["X-Request-Id"],
           client.get("/").headers["X-Request-Id"]}
    assert len(ids) == 3 and all(len(i) == 12 for i in ids)
