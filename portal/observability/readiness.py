"""Whether this portal process can serve (GET /readyz): the database answers a SELECT 1, the broker
answers, and the feed readers are positioned at their topics' end (when the process reads them)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, text

from events.kafka import broker_reachable

log = logging.getLogger(__name__)
Check = Callable[[], None]  # returns when the thing checked is fine, raises what is wrong otherwise


class NotReady(Exception):
    """A check of our own failed; its message (ours, naming no host) is answered."""


def portal_checks(app: Flask) -> dict[str, Check]:
    """`database`, `kafka`, and `feed` and `alert_feed` when the process reads them (the configuration's
    `live_feed`, or a reader started by hand, as tests do)."""
    config = app.config["PORTAL"]
    engine: Engine = app.extensions["clearance_engine"]

    def database() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    checks: dict[str, Check] = {"database": database,
                                "kafka": lambda: broker_reachable(config.kafka_bootstrap_servers)}
    for name, extension in (("feed", "clearance_feed"), ("alert_feed", "clearance_alert_feed")):
        if config.live_feed or extension in app.extensions:
            checks[name] = _positioned(app, extension)
    return checks


def _positioned(app: Flask, extension: str) -> Check:
    def check() -> None:
        reader = app.extensions.get(extension)
        if reader is None or not reader.ready:
            raise NotReady("not positioned at its topic's end yet")
    return check


def readiness(checks: dict[str, Check]) -> tuple[bool, dict[str, Any]]:
    """Run every check; (all passed, the body: {"ready", "failed": [names], "checks": {name: "ok", a
    NotReady's message, or another error's type}}). Other errors' words are logged, not answered: /readyz
    needs no login and they may name hosts. (ingest.metrics_server has the same for workers; the two
    packages share no module.)"""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = str(exc) if isinstance(exc, NotReady) else type(exc).__name__
    failed = [name for name, result in results.items() if result != "ok"]
    return not failed, {"ready": not failed, "failed": failed, "checks": results}
