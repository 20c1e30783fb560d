"""`clearance alerts`: the overdue watcher (ingest.alert_watch), with its metrics port
(CLEARANCE_ALERTS_METRICS_PORT) and the audit log's retention (CLEARANCE_AUDIT_RETENTION_DAYS)."""
from __future__ import annotations

import argparse
import signal

from clearance.config import Settings, pipeline_topics
from events.kafka import ensure_topics, make_producer
from ingest.alert_metrics import watcher_checks
from ingest.alert_watch import AlertWatcher, utc_now
from ingest.audit_prune import WATCHER, AuditPruner, prune_audit_log
from ingest.figure_roll import FigureRoller
from ingest.metrics_server import MetricsServer
from models.audit_retention import retention_cutoff
from models.db import make_engine, session_factory


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "alerts", help="watch the time limits: raise and clear overdue alerts, push them to the portals",
        description="Every CLEARANCE_ALERT_WATCH_SECONDS (default 2), find the steps of container visits "
                    "that passed a time limit's warning or alarm threshold, raise their alerts, clear those "
                    "whose step completed, and send each change to CLEARANCE_ALERTS_TOPIC. Several may run "
                    "at once; a restarted one carries on (the state is in the database). Between passes it "
                    "keeps the figures of past days per day (the dashboard's periods read those) and, once "
                    "an hour, deletes audit-log entries older than CLEARANCE_AUDIT_RETENTION_DAYS (default "
                    "400; 0 keeps them). With CLEARANCE_ALERTS_METRICS_PORT set it serves /metrics, /healthz "
                    "and /readyz there. SIGTERM stops it after the current pass.")
    parser.add_argument("--once", action="store_true",
                        help="one pass and push, keep every past day's figures due, prune the audit log, then exit")
    parser.set_defaults(handler=_alerts)


def _alerts(args: argparse.Namespace, settings: Settings) -> int:
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    engine = make_engine(settings.database_url)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="clearance-alerts")
    sessions = session_factory(engine)
    watcher = AlertWatcher(sessions, producer, settings.alerts_topic, interval=settings.alert_watch_seconds,
                           roller=FigureRoller(sessions, utc_now),
                           pruner=AuditPruner(sessions, settings.audit_retention_days, utc_now))
    signal.signal(signal.SIGTERM, watcher.stop)
    signal.signal(signal.SIGINT, watcher.stop)
    server = None
    try:
        if args.once:
            _once(watcher, settings.audit_retention_days)
        else:
            server = _serve_metrics(watcher, settings)
            watcher.run()
    finally:
        if server is not None:
            server.stop()
        producer.close(timeout=5)
        engine.dispose()
    return 0


def _once(watcher: AlertWatcher, retention_days: int) -> None:
    watcher.start()
    tick = watcher.tick()
    print(f"alerts: {tick.raised} raised, {tick.cleared} cleared, {tick.pushed} pushed")
    print(f"figures: {FigureRoller(watcher.sessions, utc_now).step(float('inf'))} past day(s) kept afresh")
    if retention_days > 0:  # everything due, as the figures
        deleted = prune_audit_log(watcher.sessions, retention_cutoff(utc_now(), retention_days), by=WATCHER,
                                  retention_days=retention_days)
        print(f"audit log: {deleted} entries older than {retention_days} days deleted")


def _serve_metrics(watcher: AlertWatcher, settings: Settings) -> MetricsServer | None:
    """/metrics, /healthz and /readyz on CLEARANCE_ALERTS_METRICS_PORT, unless it is not set."""
    if settings.alerts_metrics_port is None:
        return None
    checks = watcher_checks(watcher.sessions, settings.kafka_bootstrap_servers, watcher.metrics,
                            settings.alert_watch_seconds)
    return MetricsServer(settings.metrics_host, settings.alerts_metrics_port, watcher.metrics.registry,
                         checks).start()
