"""Security headers on every kind of answer (portal/security_headers.py): pages, the login page, API
JSON and API errors, the 404 page, static files, health checks, Socket.IO's own polling answers; HSTS
only over HTTPS; and nothing in the templates or static/ that the Content-Security-Policy would refuse."""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from clearance.config import Settings
from portal.config import STATIC_DIR
from tests.portal.conftest import MakeApp, Person
from tests.portal.test_login import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def app(make_app: MakeApp, portal_settings: Settings, tmp_path: Path) -> Flask:
    """The portal (on both databases, as logging in reads them), serving a copy of the real static/."""
    shutil.copytree(STATIC_DIR, tmp_path / "static")
    return make_app(portal_settings)


def policy(response: TestResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy's directives, each with its sources."""
    [header] = response.headers.getlist("Content-Security-Policy")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def assert_secured(response: TestResponse) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.getlist(name) == [value], name
    found = policy(response)
    assert found["default-src"] == ["'self'"]
    assert found["script-src"] == ["'self'"] and found["style-src"] == ["'self'"]
    assert found["connect-src"] == ["'self'"]
    assert found["frame-ancestors"] == ["'none'"] and found["object-src"] == ["'none'"]
    assert found["base-uri"] == ["'self'"] and found["form-action"] == ["'self'"]
    sources = " ".join(s for values in found.values() for s in values)
    assert "unsafe" not in sources and "*" not in sources
    assert "Strict-Transport-Security" not in response.headers  # loopback over plain HTTP


def test_the_login_page(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert_secured(response)


def test_a_redirect_and_the_logged_in_page(client: FlaskClient, people: dict[str, Person]) -> None:
    assert_secured(client.get("/"))  # a stranger is sent to the login page
    assert log_in(client).status_code == 302
    page = client.get("/")
    assert page.status_code == 200 and b'src="/static/js/app.js"' in page.data  # static/index.html
    assert_secured(page)


def test_api_json_and_api_errors(client: FlaskClient, people: dict[str, Person]) -> None:
    answer = client.get("/api/v1/session", headers=people["port_office"].headers)
    assert answer.status_code == 200 and answer.is_json
    assert_secured(answer)
    refused = client.get("/api/v1/session")
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert_secured(refused)
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.is_json
    assert_secured(missing)
    assert_secured(client.get("/api/v1/openapi.json"))


def test_the_404_page_and_a_refused_form(client: FlaskClient) -> None:
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert_secured(missing)
    forged = client.post("/login", data={"name": "x", "password": "y"})  # no CSRF token
    assert forged.status_code == 400
    assert_secured(forged)


def test_an_unexpected_error(app: Flask, client: FlaskClient) -> None:
    def crash() -> str:
        raise RuntimeError("boom in the test route")
    app.add_url_rule("/test/crash", "crash", crash)
    response = client.get("/test/crash")
    assert response.status_code == 500
    assert_secured(response)


@pytest.mark.parametrize("path", ["/static/base.css", "/static/js/app.js", "/static/vendor/socket.io.min.js",
                                  "/static/favicon.svg"])
def test_static_files(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_secured(response)
    response.close()


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_operator_endpoints(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_secured(response)


def test_socketio_polling_answers_that_never_reach_flask(client: FlaskClient) -> None:
    response = client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status_code == 200 and response.data.startswith(b"0{")  # Engine.IO's open packet
    assert_secured(response)


def test_a_header_a_view_sets_itself_is_kept(app: Flask, client: FlaskClient) -> None:
    app.add_url_rule("/test/framed", "framed", lambda: ("", 200, {"X-Frame-Options": "SAMEORIGIN"}))
    response = client.get("/test/framed")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_when_served_over_https(make_app: MakeApp, make_settings: Callable[..., Settings],
                                          sqlite_url: str) -> None:
    public = make_app(make_settings(sqlite_url), portal_host="0.0.0.0").test_client()  # secure cookies
    assert public.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert public.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


INLINE_STYLE = re.compile(r"""\sstyle\s*=|<style[\s>]""", re.I)
INLINE_SCRIPT = re.compile(r"""<script(?![^>]*\ssrc=)[^>]*>""", re.I)
INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.I)
PAGES = sorted(TEMPLATES.glob("*.html")) + sorted(STATIC_DIR.glob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_holds_inline_style_script_or_handler(page: Path) -> None:
    text = page.read_text()
    assert not INLINE_STYLE.search(text) and not INLINE_SCRIPT.search(text) and not INLINE_HANDLER.search(text)


def test_the_checks_above_see_inline_code() -> None:
    assert INLINE_STYLE.search('<p style="color:red">') and INLINE_STYLE.search("<style>p{}</style>")
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script type="module" src="/static/js/app.js"></script>')
    assert INLINE_HANDLER.search("<img src=x onerror=alert(1)>")


def test_the_page_scripts_build_no_html_from_strings() -> None:
    """The CSP refuses style attributes parsed from HTML; the page builds nodes (static/js/dom.js)."""
    for script in sorted((STATIC_DIR / "js").glob("*.js")):
        text = script.read_text()
        for construct in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                          "new Function", 'setAttribute("style"', "style="):
            assert construct not in text, f"{script.name}: {construct}"
        assert not re.search(r"[{,]\s*style\s*:", text), f"{script.name}: h(…, {{style: …}}) sets an attribute"
