"""An ingest worker's HTTP port (CLEARANCE_METRICS_PORT), and the overdue watcher's
(CLEARANCE_ALERTS_METRICS_PORT, ingest.alert_metrics), for operators and Prometheus: `/metrics` (the
worker's registry, Prometheus text format), `/healthz` (200 while the process runs) and `/readyz` (200
when the database answers, the broker answers and the worker is in its group with its partitions
assigned; else 503 naming the failed checks). No tenant data is served: see ingest.metrics."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from events.kafka import broker_reachable
from events.readiness import Check, NotReady, readiness

log = logging.getLogger(__name__)


def database_check(sessions: sessionmaker[Session]) -> Check:
    """The check `database`: the sessions' database answers a SELECT 1."""
    engine: Engine = sessions.kw["bind"]

    def database() -> None:
        # A raw connection: a session would BEGIN IMMEDIATE on SQLite and wait behind the batch.
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
        finally:
            connection.close()

    return database


def worker_checks(sessions: sessionmaker[Session], bootstrap: str, joined: Callable[[], bool]) -> dict[str, Check]:
    """A worker's readiness: `database` (SELECT 1), `kafka` (cluster metadata), `consumer` (`joined()`:
    its group's last rebalance gave it its partitions)."""
    def consumer() -> None:
        if not joined():
            raise NotReady("not in the consumer group yet, or rebalancing")

    return {"database": database_check(sessions), "kafka": lambda: broker_reachable(bootstrap), "consumer": consumer}


class MetricsServer(ThreadingHTTPServer):
    """Serves in a daemon thread from `start()` until `stop()`."""

    daemon_threads = True

    def __init__(self, host: str, port: int, registry: CollectorRegistry, checks: Mapping[str, Check]) -> None:
        super().__init__((host, port), _Handler)
        self.registry = registry
        self.checks = checks
        self.thread = threading.Thread(target=self.serve_forever, name="metrics-server", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> MetricsServer:
        self.thread.start()
        log.info("metrics and health on http://%s:%s/ (/metrics, /healthz, /readyz)",
                 self.server_address[0], self.port)
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: MetricsServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._answer(200, CONTENT_TYPE_LATEST, generate_latest(self.server.registry))
        elif path == "/healthz":
            self._answer(200, "text/plain; charset=utf-8", b"ok\n")
        elif path == "/readyz":
            ready, body = readiness(self.server.checks)
            self._answer(200 if ready else 503, "application/json", json.dumps(body).encode())
        else:
            self._answer(404, "text/plain; charset=utf-8", b"not found: /metrics, /healthz, /readyz\n")

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        log.debug("metrics port: " + format, *args)
