"""The OpenAPI document describes the figures endpoints, their parameters, and both their answers."""
from __future__ import annotations

import json

from flask.testing import FlaskClient

PATHS = ("/api/v1/stats/clearance-time", "/api/v1/stats/stages", "/api/v1/stats/now")


def test_openapi_lists_the_figures(client: FlaskClient) -> None:
    spec = json.loads(client.get("/api/v1/openapi.json").data)
    assert set(PATHS) <= set(spec["paths"])
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/stats/clearance-time"]["get"]["parameters"]}
    assert set(parameters) >= {"measure", "direction", "from", "to", "group_by", "terminal", "lane", "inspected",
                               "within", "format"}
    assert parameters["direction"]["required"] is True
    assert parameters["measure"]["schema"]["enum"] == ["gacc", "customs", "port_logistics", "dwell"]
    assert parameters["group_by"]["schema"]["enum"] == ["none", "day", "terminal", "declarant", "lane", "inspected"]
    for path in PATHS:
        answer = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(answer)
    schemas = spec["components"]["schemas"]
    assert {"ClearanceTime", "Group", "Excluded", "SurvivalPoint", "Stages", "StageGroup", "Now"} <= set(schemas)
    assert set(schemas["ClearanceTime"]["properties"]) == {
        "measure", "direction", "from", "to", "unit", "groups", "open", "excluded", "survival", "port_p50"}
    assert set(schemas["Now"]["properties"]) >= {"stages", "inspection_rate", "active_holds", "open_alerts"}
