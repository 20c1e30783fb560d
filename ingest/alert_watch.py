"""The overdue watcher: it watches the clock, not the events. Every CLEARANCE_ALERT_WATCH_SECONDS it runs
one pass over visit_milestones (models.overdue.watch_pass) in its own transaction and commits, then sends
every alert whose current version is not on CLEARANCE_ALERTS_TOPIC yet (models.alerts.unpushed_alerts),
waits until the broker holds them, and marks them pushed.

Everything it knows is in the database, so a restarted watcher carries on where the last one stopped, and
several can run at once (their passes take turns; an alert's key makes a second raise change nothing). A
crash between the commit and the push leaves the alerts unpushed: the next pass, by any watcher, sends
them. The push is at least once; portal processes keep the highest version per alert.

Between passes, in what is left of the interval, it keeps the figures of past days (ingest.figure_roll)
and, once an hour, the audit log within its retention (ingest.audit_prune). Its metrics
(ingest.alert_metrics) count passes, alerts raised, cleared and pushed, and prunes.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from events import jsontext
from ingest.alert_metrics import AlertWatchMetrics
from ingest.audit_prune import AuditPruner
from ingest.figure_roll import FigureRoller
from ingest.outage import first_line
from models.alert_rules import seed_default_rules
from models.alerts import mark_pushed, unpushed_alerts
from models.overdue import refresh_statistics, watch_pass

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
PUSH_TIMEOUT_SECONDS = 30.0
ROLL_SHARE = 0.6  # of each interval, from its start: the most the figure roller may take of it


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def alert_message(view: dict[str, object]) -> bytes:
    """The value of one alerts-topic message: `{"alert": view}` (models.alerts.alert_view)."""
    return jsontext.dumps_bytes({"alert": view})


@dataclass(frozen=True)
class Tick:
    raised: int
    cleared: int
    pushed: int


class AlertWatcher:
    def __init__(self, sessions: sessionmaker[Session], producer: KafkaProducer | None, topic: str,
                 clock: Clock = utc_now, interval: float = 2.0, roller: FigureRoller | None = None,
                 pruner: AuditPruner | None = None) -> None:
        """`producer` None: alerts are raised and cleared but not pushed (they wait in the outbox).
        `roller`: keeps the figures of past days between passes, in what is left of each interval.
        `pruner`: deletes audit-log entries past their retention, after a pass when it is due."""
        self.sessions = sessions
        self.roller = roller
        self.pruner = pruner
        self.metrics = AlertWatchMetrics()
        self.producer = producer
        self.topic = topic
        self.clock = clock
        self.interval = interval
        self.stopping = threading.Event()

    def start(self) -> None:
        """Put back the default rules a database lost (tests empty it; the migration seeds them)."""
        with self.sessions() as session:
            if seed_default_rules(session, self.clock()):
                log.info("seeded the default time-limit rules")
            session.commit()

    def tick(self) -> Tick:
        """One pass at `clock()`, committed, then the push; counted in `metrics`, done or failed. Raises
        database and Kafka errors."""
        began = time.perf_counter()
        try:
            with self.sessions() as session:
                result = watch_pass(session, self.clock())
                session.commit()
                if refresh_statistics(session, result):
                    session.commit()
            tick = Tick(len(result.raised), len(result.cleared), self.push())
        except Exception as exc:
            self.metrics.count_failure(exc)
            raise
        self.metrics.count_pass(tick.raised, tick.cleared, tick.pushed, time.perf_counter() - began)
        return tick

    def push(self) -> int:
        """Send the unpushed alerts and mark them pushed once the broker holds them; returns how many."""
        if self.producer is None:
            return 0
        pushed = 0
        with self.sessions() as session:
            while views := unpushed_alerts(session):
                futures = [self.producer.send(self.topic, key=str(v["container_no"]).encode(), value=alert_message(v))
                           for v in views]
                self.producer.flush(timeout=PUSH_TIMEOUT_SECONDS)
                for future in futures:
                    future.get(timeout=PUSH_TIMEOUT_SECONDS)
                mark_pushed(session, [(int(v["id"]), int(v["version"])) for v in views])
                session.commit()
                pushed += len(views)
        return pushed

    def run(self) -> None:
        """Tick every `interval` seconds (from the start of one tick to the next, so that a crossing waits
        at most one interval plus one pass) until `stop()`. A failed tick (database or broker away) is
        logged and tried again at the next one: nothing is lost, the state is in the database. A refusal
        by the broker or the database is expected weather and logs one line; anything else, a stack."""
        self.start()
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                tick = self.tick()
                if tick.raised or tick.cleared or tick.pushed:
                    log.info("alerts: %s raised, %s cleared, %s pushed", tick.raised, tick.cleared, tick.pushed)
            except (KafkaError, DBAPIError) as exc:
                log.warning("alert watch pass failed (%s: %s); again in %s s", type(exc).__name__,
                            first_line(exc), self.interval)
            except Exception:  # noqa: BLE001 - the watcher must outlive an outage
                log.exception("alert watch pass failed; again in %s s", self.interval)
            self.prune()
            self.roll(started + self.interval * ROLL_SHARE - time.monotonic())
            self.stopping.wait(max(0.0, started + self.interval - time.monotonic()))

    def roll(self, budget_seconds: float) -> None:
        """Keep the figures of past days for a while, if there is a roller and time left."""
        if self.roller is None or budget_seconds <= 0 or self.stopping.is_set():
            return
        try:
            self.roller.step(budget_seconds)
        except Exception:  # noqa: BLE001 - as the pass: the next interval tries again
            log.exception("keeping the figures of past days failed; again in %s s", self.interval)

    def prune(self) -> None:
        """Delete the audit-log entries past their retention, if there is a pruner and it is due."""
        if self.pruner is None or self.stopping.is_set():
            return
        try:
            self.metrics.count_pruned(self.pruner.step())
        except Exception:  # noqa: BLE001 - as the pass: it is due again at the next interval
            log.exception("pruning the audit log failed; again in %s s", self.interval)

    def stop(self, *_: object) -> None:
        self.stopping.set()
