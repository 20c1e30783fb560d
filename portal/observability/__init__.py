"""Metrics and health for operators: /metrics, /healthz, /readyz (routes.py), the portal's metrics
(metrics.py) and its readiness checks (readiness.py)."""
from __future__ import annotations

from flask import Flask

from portal.observability.metrics import PortalMetrics, count_requests


def init_observability(app: Flask) -> PortalMetrics:
    """Register the operator endpoints and count the app's requests; the metrics are kept in
    `app.extensions["clearance_metrics"]` (the live push updates them, portal.live)."""
    from portal.observability.routes import blp

    metrics = PortalMetrics(app)
    app.extensions["clearance_metrics"] = metrics
    app.register_blueprint(blp)
    count_requests(app, metrics)
    return metrics
