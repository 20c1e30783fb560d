"""A portal process's Prometheus metrics, in a registry of the app's own (tests build several apps in one
process). Requests are counted by route rule (`/api/v1/containers/<container_no>`, never the path),
method and status; live push by what was emitted, never by container, scope or party: /metrics answers
without login and must tell nobody whose containers move."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # any other: "other"
UNMATCHED = "(unmatched)"  # the route label of a request no rule matched (404, or 405 from routing)
# Socket.IO room name prefixes (portal.live.rooms, portal.alerts.sockets) -> subscription kind
ROOM_KINDS = (("container:", "container"), ("mine|", "mine"), ("alerts|", "alerts"))


class PortalMetrics:
    """Counters and histograms the portal updates, and the gauges read from the live state at scrape."""

    def __init__(self, app: Flask) -> None:
        self.registry = CollectorRegistry()
        metric: dict[str, Any] = {"namespace": "clearance_portal", "registry": self.registry}
        self.requests = Counter("http_requests", "HTTP requests answered, by route rule, method and status",
                                ["route", "method", "status"], **metric)
        self.request_seconds = Histogram("http_request_duration_seconds", "time to answer, by route rule",
                                         ["route"], buckets=LATENCY_BUCKETS, **metric)
        self.pushes = Counter("pushes", "Socket.IO updates emitted to a room of live clients, from the change "
                                        "feed", **metric)
        self.push_latency = Histogram(
            "push_latency_seconds", "from a change-feed message's Kafka timestamp (the worker produced it "
            "after its batch committed) until this process handed the update to Socket.IO",
            buckets=LATENCY_BUCKETS, **metric)
        self.registry.register(_LiveState(app))

    def pushed(self, rooms: int) -> None:
        self.pushes.inc(rooms)

    def handed_on(self, timestamp_ms: int | None) -> None:
        """A newer container state from the feed went to Socket.IO; its record was stamped `timestamp_ms`."""
        if timestamp_ms is not None and timestamp_ms >= 0:
            self.push_latency.observe(max(0.0, time.time() - timestamp_ms / 1000))


def count_requests(app: Flask, metrics: PortalMetrics) -> None:
    """Time and count every request of `app` (the timer starts before any other before_request hook, so
    that requests refused by one, a CSRF failure or a 401, are timed too)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)

    @app.after_request
    def _count(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        method = request.method if request.method in METHODS else "other"
        metrics.requests.labels(route, method, str(response.status_code)).inc()
        started = g.pop("metrics_started", None)
        if started is not None:
            metrics.request_seconds.labels(route).observe(time.perf_counter() - started)
        return response


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


class _LiveState(Collector):
    """Gauges read when scraped: live clients, subscriptions by kind, the change feed's position."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        from portal.extensions import socketio
        from portal.live.presence import live_clients
        from portal.live.sockets import NAMESPACE

        manager = socketio.server.manager if socketio.server is not None else None
        clients = GaugeMetricFamily("clearance_portal_live_clients", "Socket.IO clients connected to /live")
        clients.add_metric([], live_clients(manager, NAMESPACE) if manager is not None else 0)
        yield clients
        yield _subscriptions(manager.rooms.get(NAMESPACE, {}) if manager is not None else {})
        yield from _feed(self.app.extensions.get("clearance_feed"))


def _subscriptions(rooms: dict[Any, Any]) -> GaugeMetricFamily:
    counts = dict.fromkeys((kind for _, kind in ROOM_KINDS), 0)
    for room, members in list(rooms.items()):
        kind = next((k for prefix, k in ROOM_KINDS if isinstance(room, str) and room.startswith(prefix)), None)
        if kind is not None:
            counts[kind] += len(members)
    family = GaugeMetricFamily("clearance_portal_subscriptions", "live subscriptions, by kind", labels=["kind"])
    for kind, count in counts.items():
        family.add_metric([kind], count)
    return family


def _feed(reader: Any) -> Iterator[Metric]:
    ready = GaugeMetricFamily("clearance_portal_feed_ready", "1 once the change-feed reader is positioned")
    ready.add_metric([], 1 if reader is not None and reader.ready else 0)
    yield ready
    position = GaugeMetricFamily("clearance_portal_feed_position", "next change-feed offset this process "
                                                                   "reads, by partition", labels=["partition"])
    for partition, offset in sorted(dict(reader.positions if reader is not None else {}).items()):
        position.add_metric([str(partition)], offset)
    yield position
