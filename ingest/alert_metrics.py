"""The overdue watcher's Prometheus metrics and readiness, in a registry of its own, served on
CLEARANCE_ALERTS_METRICS_PORT by ingest.metrics_server. The watcher calls `count_pass` after each pass
that committed and pushed, `count_failure` for one that raised, `count_pruned` after an audit-log prune.

No label at all: what an operator needs is whether passes complete, how long they take and how many
alerts they move; which containers are overdue is the portal's, behind its login."""
from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy.orm import Session, sessionmaker

from events.kafka import broker_reachable
from events.readiness import Check, NotReady
from ingest.metrics_server import database_check

# Seconds; a pass over 100,000 open containers takes about one (BENCHMARKS.md), a push waits up to 30.
PASS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STALE_INTERVALS = 10  # the watcher is not ready when its last pass ended longer ago than this many intervals…
STALE_AT_LEAST = 60.0  # …and this many seconds


class AlertWatchMetrics:
    """The metrics of one watcher. `registry` is what its port serves."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        metric: dict[str, Any] = {"namespace": "clearance_alert_watch", "registry": self.registry}
        self.passes = Counter("passes", "passes completed: alerts raised and cleared, committed, pushed", **metric)
        self.failures = Counter("pass_failures", "passes that failed (database or broker away); the next "
                                "interval tries again", **metric)
        self.raised = Counter("alerts_raised", "alerts raised: new ones, and cleared ones opened again", **metric)
        self.cleared = Counter("alerts_cleared", "alerts cleared: completed, withdrawn or escalated", **metric)
        self.pushed = Counter("alerts_pushed", "alert versions sent to the alerts topic and held by the broker",
                              **metric)
        self.pass_seconds = Histogram("pass_duration_seconds", "one pass: the watch pass, its commit and the push",
                                      buckets=PASS_BUCKETS, **metric)
        self.last_pass_seconds = Gauge("last_pass_duration_seconds", "the last completed pass's duration", **metric)
        self.last_pass_time = Gauge("last_pass_timestamp_seconds", "Unix time the last completed pass ended",
                                    **metric)
        self.pruned = Counter("audit_entries_pruned", "audit-log entries deleted past "
                              "CLEARANCE_AUDIT_RETENTION_DAYS", **metric)
        self.last_pass_at: float | None = None  # time.monotonic() the last completed pass ended
        self.last_failure: str | None = None  # the type of the last attempt's error, while it is the latest

    def count_pass(self, raised: int, cleared: int, pushed: int, seconds: float) -> None:
        self.passes.inc()
        self.raised.inc(raised)
        self.cleared.inc(cleared)
        self.pushed.inc(pushed)
        self.pass_seconds.observe(seconds)
        self.last_pass_seconds.set(seconds)
        self.last_pass_time.set(time.time())
        self.last_pass_at = time.monotonic()
        self.last_failure = None

    def count_failure(self, exc: BaseException) -> None:
        self.failures.inc()
        self.last_failure = type(exc).__name__

    def count_pruned(self, entries: int) -> None:
        self.pruned.inc(entries)

    def watching_check(self, interval: float) -> Check:
        """The check `watching`: a pass completed, the latest attempt did not fail, and the last completed
        one ended at most STALE_INTERVALS intervals (STALE_AT_LEAST seconds at least) ago."""
        stale_after = max(STALE_AT_LEAST, STALE_INTERVALS * interval)

        def watching() -> None:
            if self.last_failure is not None:
                raise NotReady(f"the last pass failed ({self.last_failure})")
            if self.last_pass_at is None:
                raise NotReady("no pass completed yet")
            if time.monotonic() - self.last_pass_at > stale_after:
                raise NotReady(f"no pass completed for more than {stale_after:.0f} s")

        return watching


def watcher_checks(sessions: sessionmaker[Session], bootstrap: str | None, metrics: AlertWatchMetrics,
                   interval: float) -> dict[str, Check]:
    """The watcher's readiness: `database` (SELECT 1), `kafka` (cluster metadata; without a `bootstrap`,
    a watcher that does not push, none), `watching` (AlertWatchMetrics.watching_check)."""
    checks: dict[str, Check] = {"database": database_check(sessions)}
    if bootstrap is not None:
        servers = bootstrap
        checks["kafka"] = lambda: broker_reachable(servers)
    checks["watching"] = metrics.watching_check(interval)
    return checks
