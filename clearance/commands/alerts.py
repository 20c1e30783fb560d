"""`clearance alerts`: the overdue watcher (ingest.alert_watch)."""
from __future__ import annotations

import argparse
import signal

from clearance.config import Settings, pipeline_topics
from events.kafka import ensure_topics, make_producer
from ingest.alert_watch import AlertWatcher, utc_now
from ingest.figure_roll import FigureRoller
from models.db import make_engine, session_factory


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "alerts", help="watch the time limits: raise and clear overdue alerts, push them to the portals",
        description="Every CLEARANCE_ALERT_WATCH_SECONDS (default 2), find the steps of container visits "
                    "that passed a time limit's warning or alarm threshold, raise their alerts, clear those "
                    "whose step completed, and send each change to CLEARANCE_ALERTS_TOPIC. Several may run "
                    "at once; a restarted one carries on (the state is in the database). Between passes it "
                    "keeps the figures of past days per day (the dashboard's periods read those). SIGTERM "
                    "stops it after the current pass.")
    parser.add_argument("--once", action="store_true", help="one pass and push, keep every past day's figures due, then exit")
    parser.set_defaults(handler=_alerts)


def _alerts(args: argparse.Namespace, settings: Settings) -> int:
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    engine = make_engine(settings.database_url)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="clearance-alerts")
    sessions = session_factory(engine)
    watcher = AlertWatcher(sessions, producer, settings.alerts_topic, interval=settings.alert_watch_seconds,
                           roller=FigureRoller(sessions, utc_now))
    signal.signal(signal.SIGTERM, watcher.stop)
    signal.signal(signal.SIGINT, watcher.stop)
    try:
        if args.once:
            watcher.start()
            tick = watcher.tick()
            print(f"alerts: {tick.raised} raised, {tick.cleared} cleared, {tick.pushed} pushed")
            print(f"figures: {FigureRoller(sessions, utc_now).step(float('inf'))} past day(s) kept afresh")
        else:
            watcher.run()
    finally:
        producer.close(timeout=5)
        engine.dispose()
    return 0
