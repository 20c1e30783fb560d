"""Operator endpoints, outside /api and without login: GET /metrics (Prometheus text), /healthz (200
while the process runs), /readyz (200 when ready, else 503 naming the failed checks). None of them tells
anything of a tenant's data."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from events.readiness import readiness
from portal.observability.readiness import portal_checks

blp = Blueprint("observability", __name__)
NO_STORE = {"Cache-Control": "no-store"}


@blp.get("/metrics")
def metrics() -> Response:
    registry = current_app.extensions["clearance_metrics"].registry
    return Response(generate_latest(registry), headers=NO_STORE, content_type=CONTENT_TYPE_LATEST)


@blp.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", headers=NO_STORE, content_type="text/plain; charset=utf-8")


@blp.get("/readyz")
def readyz() -> tuple[Response, int]:
    ready, body = readiness(portal_checks(current_app))
    response = jsonify(body)
    response.headers.update(NO_STORE)
    return response, 200 if ready else 503
