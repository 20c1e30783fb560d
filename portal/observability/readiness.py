"""Whether this portal process can serve (GET /readyz): the database answers a SELECT 1, the broker
answers, and the feed readers are positioned at their topics' end (when the process reads them)."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, text

from events.kafka import broker_reachable
from events.readiness import Check, NotReady





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


