"""Reading the alerts topic: every portal process reads all of CLEARANCE_ALERTS_TOPIC from its end (no
consumer group), like the change feed (portal.live.feed), keeps the highest version per alert, and hands
each newer one to Socket.IO (portal.alerts.sockets.broadcast_alert)."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask

from portal.extensions import socketio
from portal.live.feed import FeedReader

log = logging.getLogger(__name__)


class AlertFeedReader(FeedReader):
    def __init__(self, bootstrap: str, topic: str, on_alert: Callable[[dict[str, Any]], object]) -> None:
        super().__init__(bootstrap, topic, on_update=lambda *_: None)
        self.on_alert = on_alert
        self.versions: dict[int, int] = {}

    def dispatch(self, value: bytes | None) -> bool:
        """Hand one alert on if it is newer than what this process has seen; returns whether. Never
        raises: a message it cannot read, or one `on_alert` fails on, is logged and dropped."""
        alert = _readable(value)
        if alert is None or self.versions.get(alert["id"], 0) >= alert["version"]:
            return False
        self.versions[alert["id"]] = alert["version"]
        try:
            self.on_alert(alert)
        except Exception as exc:  # noqa: BLE001 - one message must not end the live push
            log.error("alert %s version %s dropped: %s: %s", alert["id"], alert["version"], type(exc).__name__,
                      str(exc)[:200])
            return False
        return True


def _readable(value: bytes | None) -> dict[str, Any] | None:
    try:
        alert = json.loads(value)["alert"]  # type: ignore[arg-type]
        if type(alert["id"]) is int and type(alert["version"]) is int:
            return alert  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 - not JSON, not an object, no alert...
        log.error("unreadable alert message dropped: %s: %s", type(exc).__name__, str(exc)[:200])
        return None
    log.error("alert message without an integer id and version dropped")
    return None


def to_sockets(app: Flask) -> Callable[[dict[str, Any]], None]:
    """What the reader hands each newer alert to: the app's Socket.IO rooms (sockets.broadcast_alert)."""
    from portal.alerts.sockets import broadcast_alert

    def on_alert(alert: dict[str, Any]) -> None:
        with app.app_context():
            broadcast_alert(alert)
    return on_alert


def start_alert_feed(app: Flask) -> AlertFeedReader:
    """Read the alerts topic in a background task (app.extensions["clearance_alert_feed"])."""
    config = app.config["PORTAL"]
    reader = AlertFeedReader(config.kafka_bootstrap_servers, config.alerts_topic, to_sockets(app))
    app.extensions["clearance_alert_feed"] = reader
    socketio.start_background_task(reader.run)
    return reader
