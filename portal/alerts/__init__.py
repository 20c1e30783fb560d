"""Overdue alerts in the portal: GET /api/v1/alerts, acknowledging one, and their live push (the
alerts topic read by every portal process, Socket.IO `subscribe {"scope": "alerts"}` on /live)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, current_app


def now() -> datetime:
    """The current time, from `app.config["CLEARANCE_CLOCK"]` when set (tests fix it), else the clock."""
    clock = current_app.config.get("CLEARANCE_CLOCK")
    return clock() if clock is not None else datetime.now(timezone.utc)


def init_alerts(app: Flask) -> None:
    """Read the alerts topic in a background task, unless the configuration turns the live feeds off
    (unit tests call `sockets.broadcast_alert` themselves)."""
    from portal.alerts.feed import start_alert_feed

    if app.config["PORTAL"].live_feed:
        start_alert_feed(app)
