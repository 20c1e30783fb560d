"""The overdue watcher's metrics and its port (ingest.alert_metrics, CLEARANCE_ALERTS_METRICS_PORT), with
the real broker and both databases: passes and the alerts they move are counted, a failed pass too,
/readyz fails while the database is away or no pass completes, and `clearance alerts` serves it all and
prunes the audit log."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

from events.readiness import readiness
from ingest.alert_metrics import AlertWatchMetrics, watcher_checks
from ingest.alert_watch import AlertWatcher
from models.db import make_engine, session_factory
from tests.conftest import settings_env
from tests.ingest.test_alert_watcher import clock_at
from tests.ingest.test_metrics import NOWHERE_DATABASE, get
from tests.models.test_audit_retention import ages_kept, entries_aged
from tests.support.http import logged_metrics_url
from tests.support.pipeline import wait_until

PREFIX = "clearance_alert_watch_"


def test_passes_and_the_alerts_they_move_are_counted(watched) -> None:  # type: ignore[no-untyped-def]
    value = watched.watcher.metrics.registry.get_sample_value
    for watched.minutes[0] in (10.0, 31.0, 61.0):  # nothing, the warning, then the alarm escalating it
        watched.watcher.tick()
    ready, body = readiness(watcher_checks(watched.sessions, watched.settings.kafka_bootstrap_servers,
                                           watched.watcher.metrics, 2.0))
    assert value(f"{PREFIX}passes_total") == 3 and value(f"{PREFIX}pass_failures_total") == 0
    assert (value(f"{PREFIX}alerts_raised_total"), value(f"{PREFIX}alerts_cleared_total")) == (2, 1)
    assert value(f"{PREFIX}alerts_pushed_total") == 3  # the warning, the alarm, the cleared warning
    assert value(f"{PREFIX}pass_duration_seconds_count") == 3
    last = value(f"{PREFIX}last_pass_duration_seconds")
    assert last is not None and 0 < last <= (value(f"{PREFIX}pass_duration_seconds_sum") or 0)
    assert abs(time.time() - (value(f"{PREFIX}last_pass_timestamp_seconds") or 0)) < 60
    assert ready and body["checks"] == {"database": "ok", "kafka": "ok", "watching": "ok"}


def test_a_failed_pass_is_counted_and_readiness_names_the_database() -> None:
    engine = make_engine(NOWHERE_DATABASE)
    sessions = session_factory(engine)
    watcher = AlertWatcher(sessions, None, "unused", clock=clock_at([31]))
    try:
        try:
            watcher.tick()
        except Exception as exc:  # noqa: BLE001 - whatever the driver raises
            raised = type(exc).__name__
        ready, body = readiness(watcher_checks(sessions, None, watcher.metrics, 2.0))
    finally:
        engine.dispose()
    value = watcher.metrics.registry.get_sample_value
    assert (value(f"{PREFIX}pass_failures_total"), value(f"{PREFIX}passes_total")) == (1, 0)
    assert not ready and body["failed"] == ["database", "watching"]
    assert body["checks"]["watching"] == f"the last pass failed ({raised})"
    assert "kafka" not in body["checks"]  # a watcher that does not push needs no broker
    assert "nobody" not in json.dumps(body)  # the connection's words are logged, not answered


def test_watching_is_not_ready_before_the_first_pass_nor_long_after_the_last() -> None:
    metrics = AlertWatchMetrics()
    watching = {"watching": metrics.watching_check(interval=2.0)}
    assert readiness(watching)[1]["checks"]["watching"] == "no pass completed yet"
    metrics.count_pass(0, 0, 0, 0.01)
    assert readiness(watching)[0]
    metrics.last_pass_at = time.monotonic() - 61  # ten intervals are 20 s; a minute at least
    assert readiness(watching)[1]["checks"]["watching"] == "no pass completed for more than 60 s"
    metrics.count_pass(0, 0, 0, 0.01)
    assert readiness(watching)[0]


def test_clearance_alerts_serves_its_port_and_prunes_the_audit_log(database_url: str, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    entries_aged(sessions, [1, 40, 50], now=datetime.now(timezone.utc))
    env = settings_env(settings) | {"CLEARANCE_ALERTS_METRICS_PORT": "0", "CLEARANCE_AUDIT_RETENTION_DAYS": "30",
                                    "CLEARANCE_ALERT_WATCH_SECONDS": "0.5"}
    watcher = subprocess.Popen([sys.executable, "-m", "clearance.cli", "alerts"], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        base = logged_metrics_url(watcher)
        assert get(f"{base}/healthz") == (200, "ok\n")
        wait_until(lambda: f"{PREFIX}audit_entries_pruned_total 2.0" in get(f"{base}/metrics")[1], 60, "the prune")
        wait_until(lambda: get(f"{base}/readyz")[0] == 200, 30, "ready")
        assert json.loads(get(f"{base}/readyz")[1])["checks"] == {"database": "ok", "kafka": "ok", "watching": "ok"}
        assert re.search(rf"^{PREFIX}passes_total [1-9]", get(f"{base}/metrics")[1], flags=re.M)
        assert ages_kept(sessions) == [1]
    finally:
        watcher.send_signal(signal.SIGTERM)
        _, rest = watcher.communicate(timeout=60)
        engine.dispose()
    assert watcher.returncode == 0, rest
