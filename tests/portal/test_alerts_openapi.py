"""The OpenAPI document describes the time-limit and alert endpoints, from their marshmallow schemas."""
from __future__ import annotations

import json

from flask.testing import FlaskClient


def test_alert_endpoints_are_documented(client: FlaskClient) -> None:
    spec = json.loads(client.get("/api/v1/openapi.json").data)
    paths = spec["paths"]
    assert {"get"} <= set(paths["/api/v1/alerts"]) and {"post"} <= set(paths["/api/v1/alerts/{alert_id}/acknowledge"])
    assert {"get", "post"} <= set(paths["/api/v1/alert-rules"])
    assert {"get", "put", "delete"} <= set(paths["/api/v1/alert-rules/{rule_id}"])
    assert {"/api/v1/alert-rules/{rule_id}/changes", "/api/v1/stats/compliance", "/api/v1/stats/offenders"} <= set(paths)
    state = next(p for p in paths["/api/v1/alerts"]["get"]["parameters"] if p["name"] == "state")
    assert state["schema"]["enum"] == ["open", "acknowledged", "cleared"]
    assert {"from", "to", "format"} <= {p["name"] for p in paths["/api/v1/stats/compliance"]["get"]["parameters"]}
    schemas = spec["components"]["schemas"]
    assert {"late_seconds", "due_at", "tier", "acknowledge_reason"} <= set(schemas["Alert"]["properties"])
    assert {"warning_seconds", "alarm_seconds", "commitment_percent", "ends"} <= set(schemas["Rule"]["properties"])
    assert "409" in paths["/api/v1/alerts/{alert_id}/acknowledge"]["post"]["responses"]
