"""API token scopes (portal.auth.scopes): every kind of API route × every set of scopes, over HTTP and
Socket.IO; a refused token publishes nothing; browser sessions are not scoped."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clearance.config import Settings
from models import PublishAudit
from models.user import PUBLISH, READ, find_user, issue_token
from portal.extensions import socketio
from portal.live import sockets as live_sockets  # registers /live before any app: every app gets it
from tests.portal.conftest import Person, Sessions
from tests.portal.test_login import log_in
from tests.portal.world import A1, DECL_A
from tests.support.factories import doc
from tests.support.pipeline import read_all

GATE_IN = doc("GATE_IN", "scope-g1", "2026-11-20T08:00:00+08:00")
RULE = {"warning_seconds": 1500, "alarm_seconds": 3000, "commitment_percent": 99.0, "enabled": True}
BOTH = frozenset({READ, PUBLISH})

# (method, URL rule, a path of it, body, scopes a token needs): one row per API route the portal has
ROUTES: list[tuple[str, str, str, Any, frozenset[str]]] = [
    ("GET", "/api/v1/session", "", None, frozenset()),
    ("GET", "/api/v1/containers", "", None, frozenset({READ})),
    ("GET", "/api/v1/containers/<container_no>", f"/api/v1/containers/{A1}", None, frozenset({READ})),
    ("GET", "/api/v1/declarations/<declaration_no>", f"/api/v1/declarations/{DECL_A}", None, frozenset({READ})),
    ("GET", "/api/v1/alerts", "", None, frozenset({READ})),
    ("GET", "/api/v1/alerts/<int:alert_id>", "/api/v1/alerts/1", None, frozenset({READ})),
    ("GET", "/api/v1/alert-rules", "", None, frozenset({READ})),
    ("GET", "/api/v1/alert-rules/<int:rule_id>", "/api/v1/alert-rules/1", None, frozenset({READ})),
    ("GET", "/api/v1/alert-rules/<int:rule_id>/changes", "/api/v1/alert-rules/1/changes", None, frozenset({READ})),
    ("GET", "/api/v1/stats/clearance-time", "?direction=IMPORT", None, frozenset({READ})),
    ("GET", "/api/v1/stats/stages", "?direction=IMPORT", None, frozenset({READ})),
    ("GET", "/api/v1/stats/now", "", None, frozenset({READ})),
    ("GET", "/api/v1/stats/compliance", "", None, frozenset({READ})),
    ("GET", "/api/v1/stats/offenders", "", None, frozenset({READ})),
    ("GET", "/api/v1/feeds", "", None, frozenset({READ})),
    ("GET", "/api/v1/worklist", "", None, frozenset({READ})),
    ("GET", "/api/v1/events/template", "", None, frozenset({READ})),
    ("GET", "/api/v1/events/recent", "", None, frozenset({READ})),
    ("GET", "/api/v1/audit", "", None, frozenset({READ})),
    ("POST", "/api/v1/events", "", GATE_IN, frozenset({PUBLISH})),
    ("POST", "/api/v1/events", "?dry_run=1", GATE_IN, frozenset({PUBLISH})),
    ("POST", "/api/v1/alerts/<int:alert_id>/acknowledge", "/api/v1/alerts/1/acknowledge", {"reason": "seen"}, BOTH),
    ("PUT", "/api/v1/alert-rules/<int:rule_id>", "/api/v1/alert-rules/1", RULE, BOTH),
    ("POST", "/api/v1/alert-rules", "", {**RULE, "step": "REPOSITION", "terminal": "YTCT", "size": None}, BOTH),
    ("DELETE", "/api/v1/alert-rules/<int:rule_id>", "/api/v1/alert-rules/999", None, BOTH),
]
SCOPE_SETS = {"read": [READ], "publish": [PUBLISH], "both": [READ, PUBLISH]}


def token_with(db: Sessions, name: str, scopes: list[str]) -> dict[str, str]:
    with db() as session:
        user = find_user(session, name)
        assert user is not None
        _, token = issue_token(session, user, f"{'+'.join(scopes)} only", scopes)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_table_names_every_api_route(app: Flask) -> None:
    """A route added later must say here what scopes it needs."""
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and "openapi" not in rule.rule
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert routes == {(method, rule) for method, rule, _, _, _ in ROUTES}


def _path(rule: str, path: str) -> str:
    return path if path.startswith("/") else rule + path


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("scopes", sorted(SCOPE_SETS))
@pytest.mark.parametrize("method, rule, path, body, needed", ROUTES,
                         ids=[f"{m} {_path(r, p)}" for m, r, p, _, _ in ROUTES])
def test_each_route_needs_its_scopes(client: FlaskClient, people: dict[str, Person], db: Sessions, scopes: str,
                                     method: str, rule: str, path: str, body: Any, needed: frozenset[str]) -> None:
    headers = token_with(db, "port_office", SCOPE_SETS[scopes])
    response = client.open(_path(rule, path), method=method, json=body, headers=headers)
    if needed <= set(SCOPE_SETS[scopes]):
        assert response.status_code not in (401, 403), response.get_json()
    else:
        assert response.status_code == 403
        answer = response.get_json()
        assert answer["error"] == "forbidden"
        assert answer["details"]["missing_scopes"] == sorted(needed - set(SCOPE_SETS[scopes]))
        assert f"do not include {' and '.join(sorted(needed - set(SCOPE_SETS[scopes])))}" in answer["message"]


@pytest.mark.usefixtures("people")
def test_a_read_only_token_publishes_nothing(client: FlaskClient, db: Sessions, portal_settings: Settings) -> None:
    response = client.post("/api/v1/events", json=[GATE_IN], headers=token_with(db, "terminal_ytct", [READ]))
    assert response.status_code == 403 and response.get_json()["details"]["token_scopes"] == ["read"]
    assert read_all(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic) == []
    with db() as session:
        assert session.scalar(select(func.count()).select_from(PublishAudit)) == 0
    allowed = client.post("/api/v1/events", json=[GATE_IN], headers=token_with(db, "terminal_ytct", [PUBLISH]))
    assert allowed.status_code == 202 and allowed.get_json()["accepted"] == ["scope-g1"]


@pytest.mark.parametrize("scopes, connects", [("read", True), ("publish", False), ("both", True)])
def test_live_updates_need_the_read_scope(app: Flask, people: dict[str, Person], db: Sessions, scopes: str,
                                          connects: bool) -> None:
    token = token_with(db, "enterprise_a", SCOPE_SETS[scopes])["Authorization"].split()[1]
    namespace = live_sockets.NAMESPACE
    by_auth = socketio.test_client(app, namespace=namespace, auth={"token": token})
    by_header = socketio.test_client(app, namespace=namespace, headers={"Authorization": f"Bearer {token}"})
    assert by_auth.is_connected(namespace) is connects
    assert by_header.is_connected(namespace) is connects


@pytest.mark.usefixtures("people")
def test_browser_sessions_are_not_scoped(client: FlaskClient) -> None:
    assert log_in(client).status_code == 302
    csrf = client.get("/api/v1/session").get_json()["csrf_token"]
    assert client.get("/api/v1/containers").status_code == 200
    published = client.post("/api/v1/events", json=[GATE_IN], headers={"X-CSRFToken": csrf})
    assert published.status_code == 202
