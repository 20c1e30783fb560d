"""Live push over Socket.IO: the /live namespace and the change-feed reader that feeds it.

Every portal process reads the whole change feed (no consumer group) and pushes to its own clients, so
no broker beyond Kafka is needed and portal processes can run side by side behind a load balancer."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import OperationalError

from portal.extensions import socketio
from portal.live import presence, sockets
from portal.containers.views import load_container
from portal.db import db_session
from portal.live.feed import FeedReader, Visits
from portal.live.revocation import start_watcher

log = logging.getLogger(__name__)


def init_live(app: Flask) -> None:
    """Register the /live handlers (importing `sockets` does) and, unless the configuration turns it
    off (unit tests call `sockets.broadcast_update` themselves), read the change feed in a background
    task."""
    assert sockets.NAMESPACE == "/live"
    start_watcher(app)  # disconnects clients whose token, user or login session stops working
    config = app.config["PORTAL"]
    if not config.live_feed:
        return
    socketio.start_background_task(feed_reader(app).run)
    presence.start_presence(config.data_dir)  # the live-client count `clearance run` shows


def feed_reader(app: Flask) -> FeedReader:
    """The app's change-feed reader (`app.extensions["clearance_feed"]`), handing updates to Socket.IO and
    telling the metrics (portal.observability); not yet running."""
    config = app.config["PORTAL"]
    metrics = app.extensions["clearance_metrics"]
    reader = FeedReader(config.kafka_bootstrap_servers, config.updates_topic, _in_app(app), metrics.handed_on)
    app.extensions["clearance_feed"] = reader
    return reader


def _in_app(app: Flask):  # type: ignore[no-untyped-def]
    def on_update(container_no: str, version: int, visits: Visits) -> None:
        with app.app_context():
            if visits is None:  # a state too large for the feed: the database has it (and maybe newer)
                try:
                    loaded = load_container(db_session(), container_no)
                except OperationalError as exc:  # a subscriber's next snapshot has it
                    log.warning("container %s too large for the feed, and the database is away: not pushed (%s)",
                                container_no, type(exc.orig).__name__)
                    return
                if loaded is None:
                    return
                version, visits = loaded
            app.extensions["clearance_metrics"].pushed(sockets.broadcast_update(container_no, version, visits))
    return on_update
