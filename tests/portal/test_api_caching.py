"""API answers hold one caller's data: `Cache-Control: no-store` and `Vary: Authorization, Cookie` on
every one (success, error, token or session), except the OpenAPI document, which is the same for all."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.portal.conftest import Person
from tests.portal.test_login import log_in
from tests.portal.world import A1, DECL_A
from tests.support.factories import doc

pytestmark = pytest.mark.usefixtures("world")

READS = [(f"/api/v1/containers/{A1}", 200), ("/api/v1/containers?q=CICU", 200),
         (f"/api/v1/declarations/{DECL_A}", 200), ("/api/v1/session", 200),
         ("/api/v1/containers/TCLU0000014", 404), ("/api/v1/declarations/42-01", 400)]


def assert_not_for_caches(response: TestResponse) -> None:
    assert response.headers.get("Cache-Control") == "no-store"
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert {"authorization", "cookie"} <= vary


@pytest.mark.parametrize("path, status", READS)
def test_token_answers_are_not_for_caches(client: FlaskClient, people: dict[str, Person], path: str,
                                          status: int) -> None:
    response = client.get(path, headers=people["port_office"].headers)
    assert response.status_code == status
    assert_not_for_caches(response)


@pytest.mark.parametrize("path, status", READS[:4])
def test_session_answers_are_not_for_caches(client: FlaskClient, people: dict[str, Person], path: str,
                                            status: int) -> None:
    log_in(client)
    response = client.get(path)
    assert response.status_code == status
    assert_not_for_caches(response)


def test_refusals_and_publishing_are_not_for_caches(client: FlaskClient, people: dict[str, Person]) -> None:
    assert_not_for_caches(client.get("/api/v1/containers"))  # 401
    invalid = client.post("/api/v1/events", json=doc("GATE_IN", "x", "not a time"),
                          headers=people["port_office"].headers)
    assert invalid.status_code == 400
    assert_not_for_caches(invalid)


def test_the_openapi_document_may_be_cached(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
