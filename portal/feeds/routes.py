"""GET /api/v1/feeds: how each publisher's feed is doing (a terminal sees its own, the port office all)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, current_app
from flask_smorest import Blueprint

from portal.auth.principal import authenticate, require_principal
from portal.config import PortalConfig
from portal.db import db_session
from portal.feeds.dead_letters import DeadLetterReader
from portal.feeds.health import feed_health
from portal.feeds.schemas import FeedsSchema

blp = Blueprint("feeds", __name__, url_prefix="/api/v1/feeds",
                description="Feed health: accepted events, dead letters and silence per publisher")
blp.before_request(authenticate)


@blp.route("")
@blp.response(200, FeedsSchema)
def feeds() -> dict[str, Any]:
    """Per publisher the caller may see: events stored in the last hour, the newest one, whether the feed
    is silent for longer than usual, and its dead letters in the window, counted by reason."""
    principal = require_principal()
    reader: DeadLetterReader = current_app.extensions["clearance_dead_letters"]
    body = feed_health(db_session(), principal, reader.scan(), datetime.now(timezone.utc))
    body["dead_letter_window_seconds"] = reader.window.total_seconds()
    return body


def init_dead_letters(app: Flask, config: PortalConfig) -> None:
    app.extensions["clearance_dead_letters"] = DeadLetterReader(config.kafka_bootstrap_servers, config.dlq_topic)
