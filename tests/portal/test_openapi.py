"""The OpenAPI document is generated from the marshmallow schemas and describes every endpoint."""
from __future__ import annotations

import json

from flask.testing import FlaskClient


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.data)
    assert spec["openapi"].startswith("3.") and spec["info"]["version"] == "v1"
    paths = spec["paths"]
    assert set(paths) >= {"/api/v1/containers", "/api/v1/containers/{container_no}",
                          "/api/v1/declarations/{declaration_no}", "/api/v1/events", "/api/v1/session"}
    assert {p["name"] for p in paths["/api/v1/containers"]["get"]["parameters"]} >= {
        "q", "stage", "direction", "page", "per_page"}
    per_page = next(p for p in paths["/api/v1/containers"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 100
    post = paths["/api/v1/events"]["post"]
    assert {"202", "400"} <= set(post["responses"])
    one_of = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert one_of[0] == {"$ref": "#/components/schemas/ClearanceEvent"} and one_of[1]["maxItems"] == 500
    schemas = spec["components"]["schemas"]
    assert {"ContainerView", "VisitView", "TimelineEntry", "ContainerSummary", "ContainerPage", "Declaration",
            "Receipt", "PublishResult", "ClearanceEvent", "Error"} <= set(schemas)
    assert "took_seconds" in schemas["TimelineEntry"]["properties"]
    assert set(schemas["Error"]["properties"]) >= {"error", "message"}
    assert "GATE_IN" in schemas["ClearanceEvent"]["properties"]["type"]["enum"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
