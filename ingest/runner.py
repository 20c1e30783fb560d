"""The Kafka side of an ingest worker: poll → triage → batch → store and commit the database → publish
the change feed → then commit the next Kafka offsets. Nothing is acknowledged to Kafka that was not
stored (or dead-lettered) and announced."""
from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kafka import TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from psycopg import OperationalError as DriverOperationalError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from events.kafka import make_producer
from ingest.change_feed import ChangeFeed
from ingest.consumer import group_consumer
from ingest.dead_letters import send_dead_letters
from ingest.fair_draw import FairDraw
from ingest.settings import IngestSettings
from ingest.batching import batch_wait, next_offsets
from ingest.handlers import is_data_error, store_batch, store_isolating
from ingest.metrics import IngestMetrics
from ingest.metrics_server import MetricsServer, worker_checks
from ingest.outage import Outage, StopRequested, first_line, resume, until_the_broker_takes, wait_in_group
from ingest.rebalances import Rebalances, finish_stranded_join
from ingest.shutdown import exit_deadline_on_stop
from ingest.stats import IngestStats
from ingest.triage import DeadLetter, DeadLetterRun, Triage, triage
from models.operations import StoreResult
from models.reach import ReachCache

log = logging.getLogger(__name__)
T = TypeVar("T")
IDLE_POLL = 0.5  # longest poll while no batch is open, in seconds
CLOSE_TIMEOUT_MS = 1500  # at most to leave the group, and again to close the producer: within the exit deadline
REJOIN_TIMEOUT = 20.0  # seconds a revoked worker waits for its new assignment before starting over


class IngestWorker:
    """One member of the ingest consumer group. `on_stored` is called after each database commit."""

    def __init__(self, settings: IngestSettings, sessions: sessionmaker[Session],
                 on_stored: Callable[[StoreResult], None] | None = None,
                 report: Callable[[IngestStats], None] | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.on_stored = on_stored
        self.report = report
        self.stats = IngestStats()
        self.metrics = IngestMetrics()
        self.metrics_server: MetricsServer | None = None  # while run() serves settings.metrics_port
        self.reach_cache = ReachCache(settings.reach_cache)
        self.stopping = False
        self._last_tick = 0.0
        self.pending: list[Any] = []
        self.run_of_dead = DeadLetterRun(settings.dlq_run_limit)
        self.rebalances = Rebalances()
        self.fair_draw = FairDraw(settings.batch_size)
        self.consumer = group_consumer(self.settings)
        self.producer = make_producer(settings.kafka_bootstrap_servers)
        self.feed = ChangeFeed(self.producer, settings.updates_topic, sessions)

    def _subscribe(self) -> None:
        self._wait_for_topic()
        self.consumer.subscribe([self.settings.events_topic], listener=self.rebalances)

    def _unstick(self) -> None:
        """kafka-python 3.0 can fail to finish a rejoin after revoking (no assignment follows, the
        partitions are never fetched again; the known cause is worked around in
        ingest.rebalances.finish_stranded_join). Past REJOIN_TIMEOUT, start over with a new consumer:
        nothing uncommitted is lost, it is read again from the committed offsets."""
        since = self.rebalances.rejoining_since
        if since is None or time.monotonic() - since < REJOIN_TIMEOUT:
            return
        log.warning("group rejoin stuck for %.0fs; reconnecting with a new consumer", time.monotonic() - since)
        self.pending = []
        self.consumer.close(autocommit=False)
        self.rebalances.rejoining_since = None
        self.consumer = group_consumer(self.settings)
        self._subscribe()

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def _signalled(self, *_: Any) -> None:
        """SIGTERM or SIGINT: stop (ingest.shutdown has armed its exit deadline already)."""
        self.stop()

    def run(self, max_idle: float | None = None) -> None:
        """Consume until SIGTERM/SIGINT (or `max_idle` seconds without a message), then finish the
        batch, commit and close (during a database outage: close at once, the open batch uncommitted).
        Raises on what cannot be retried (a bug, a run of dead letters)."""
        signal.signal(signal.SIGTERM, self._signalled)
        signal.signal(signal.SIGINT, self._signalled)
        with exit_deadline_on_stop():
            self._run(max_idle)

    def _run(self, max_idle: float | None) -> None:
        metrics_server = self._serve_metrics()
        try:
            self._subscribe()
            self._consume(max_idle)
            self.flush()
        except StopRequested:
            log.warning("stopped while waiting for the database or the broker; the open batch is left uncommitted")
        finally:
            self._report()
            # bounded: kafka-python waits up to request_timeout_ms (30 s) for a group it is rejoining
            self.consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS)
            self.producer.close(timeout=CLOSE_TIMEOUT_MS / 1000)  # what had to reach the broker did
            if metrics_server:
                metrics_server.stop()

    def _serve_metrics(self) -> MetricsServer | None:
        """/metrics, /healthz and /readyz on settings.metrics_port, unless it is None."""
        if self.settings.metrics_port is None:
            return None
        checks = worker_checks(self.sessions, self.settings.kafka_bootstrap_servers, lambda: self.rebalances.joined)
        self.metrics_server = MetricsServer(self.settings.metrics_host, self.settings.metrics_port,
                                            self.metrics.registry, checks)
        return self.metrics_server.start()

    def _wait_for_topic(self, timeout: float = 30.0) -> None:
        """Join the group only once the broker lists the topic's partitions: a member that joins before
        would be assigned nothing until the next metadata refresh."""
        deadline = time.monotonic() + timeout
        while not self.consumer.partitions_for_topic(self.settings.events_topic):
            if time.monotonic() > deadline:
                log.warning("topic %s has no partitions yet; subscribing anyway", self.settings.events_topic)
                return
            time.sleep(0.2)

    def _consume(self, max_idle: float | None) -> None:
        deadline = last_message = time.monotonic() + self.settings.batch_seconds
        last_report = 0.0
        while not self.stopping:
            idle_wait = min(self.settings.batch_seconds, IDLE_POLL)  # stop, report and idle checks stay prompt
            wait = max(0.0, deadline - time.monotonic()) if self.pending else idle_wait
            if self.fair_draw.active:
                wait = max(wait, idle_wait)  # the other partitions' first fetches may still be on their way
            if self.rebalances.rejoining_since is not None:
                wait = max(wait, IDLE_POLL)  # a join then completes inside a poll (ingest.rebalances)
            records = self._poll(wait)
            now = time.monotonic()
            if records and not self.pending:
                deadline = now + batch_wait(records, self.settings.batch_seconds)  # the batch opens with its first message
            self.pending += records
            if records or not self.consumer.assignment():
                last_message = now  # idle time counts only while partitions are ours
            due = now >= deadline and not self.fair_draw.active  # the first batch after an assignment fills
            if len(self.pending) >= self.settings.batch_size or (self.pending and due):
                self.flush()
            if self.report and now - last_report >= 1.0:
                last_report = now
                self._report()
            if max_idle is not None and now - last_message >= max_idle and not self.pending:
                return
            self.metrics.observe_consumer(self.consumer, self.pending)
            self._unstick()

    def _poll(self, wait: float) -> list[Any]:
        """The records of one poll; none while the brokers are all away (kafka-python 3 raises the
        connection's error out of poll then: the worker waits for them instead of dying). None while the
        open batch is full: records polled to stay in the group during a database outage can fill it."""
        room = self.settings.batch_size - len(self.pending)
        if room <= 0:
            return []
        try:
            limit = self.fair_draw.limit(self.consumer, room)
            polled = self.consumer.poll(timeout_ms=int(wait * 1000), max_records=limit)
            polled = self.fair_draw.take(self.consumer, self.rebalances.assignments, polled)
        except (KafkaError, OSError) as exc:
            log.warning("broker unreachable while polling (%s: %s); trying again", type(exc).__name__, exc)
            time.sleep(IDLE_POLL)
            return []
        finish_stranded_join(self.consumer)
        return [r for batch in polled.values() for r in batch]

    def flush(self) -> None:
        """Process and acknowledge everything pending."""
        if not self.pending:
            return
        records, self.pending = self.pending, []
        owned = self.consumer.assignment()
        records = [r for r in records if TopicPartition(r.topic, r.partition) in owned]
        if not records:
            return
        opened = time.perf_counter()
        sorted_batch = triage(records, self.run_of_dead, self.settings.max_message_bytes)
        if sorted_batch.dead:
            self._dead_letter(sorted_batch.dead)
        began = time.perf_counter()
        result, refused = self._store(sorted_batch)
        store_seconds = time.perf_counter() - began
        self.stats.store_seconds += store_seconds
        self.stats.waited_seconds += result.waited_seconds
        if refused:
            self._dead_letter(refused)
        # the feed reads the states of replayed containers (database) and sends them (broker)
        self._broker_retrying(lambda: self._retrying(lambda: self.feed.publish(result)))
        self._commit(records)
        self.metrics.count_batch(len(records), result, sorted_batch.dead + refused, store_seconds,
                                 time.perf_counter() - opened)
        self.stats.received += len(records)
        self.stats.batches += 1
        self.stats.stored += result.stored
        self.stats.unchanged += result.unchanged
        self.stats.dead_lettered += len(sorted_batch.dead) + len(refused)
        self.stats.containers_changed += len(result.changed_containers)
        if self.on_stored:
            self.on_stored(result)

    def _store(self, batch: Triage) -> tuple[StoreResult, list[DeadLetter]]:
        """Store the batch's events; an event the database refuses (a data error: it can never be
        stored) is split off and comes back as a dead letter of its record, the others are stored.
        Counted in the run of dead letters, so that a database refusing everything still stops us."""
        isolated = store_isolating(self._store_retrying, batch.events)
        refused = [DeadLetter.of(batch.records[index], reason) for index, reason in isolated.refused]
        for _ in refused:
            self.run_of_dead.check(dead=True)
        return isolated.result, refused

    def _store_retrying(self, events: list[Any]) -> StoreResult:
        """Store in one transaction, retried while the database is away (`_retrying`)."""
        def store() -> StoreResult:
            with self.sessions() as session:
                result = store_batch(session, events, self.reach_cache)
                session.commit()
            return result
        return self._retrying(store)

    def _retrying(self, action: Callable[[], T]) -> T:
        """Run `action`; a database error other than a data error is retried with backoff for as long as
        the database is away, the worker staying in its group meanwhile (ingest.outage). Raises data
        errors, and StopRequested on SIGTERM during the wait."""
        outage: Outage | None = None
        while True:
            try:
                result = action()
            except (DBAPIError, DriverOperationalError) as exc:  # COPY raises the driver's errors as they are
                if is_data_error(exc):
                    raise
                outage = outage or Outage()
                self.stats.database_down_since = outage.since
                self.metrics.count_database_retry()
                delay = outage.next_delay()
                cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
                log.warning("database unreachable or refusing for %.0fs (%s; attempt %s, retrying in %ss): %s",
                            outage.seconds(), type(cause).__name__, outage.attempts, delay,
                            first_line(exc))  # a deadlock: the batch again
                wait_in_group(self.consumer, delay, lambda: self.stopping, self.pending.extend, self._tick)
                continue
            if outage is not None:
                log.warning("database back after %.0fs", outage.seconds())
                self.stats.database_down_since = None
                self.metrics.database_back()
                resume(self.consumer)
            return result

    def _tick(self) -> None:
        """The status line, once a second, while a batch waits for the database."""
        now = time.monotonic()
        if now - self._last_tick >= 1.0:
            self._last_tick = now
            self._report()

    def _commit(self, records: list[Any]) -> None:
        try:
            self.consumer.commit(next_offsets(records))
        except CommitFailedError as exc:
            # The partitions moved on; what we stored is idempotent and will be seen again by the new owner.
            log.warning("offset commit refused after a rebalance: %s", exc)
        except KafkaError as exc:  # the broker away: the batch is read again later, which changes nothing
            log.warning("offset commit failed (%s: %s); the batch will be read again", type(exc).__name__, exc)

    def _dead_letter(self, letters: list[DeadLetter]) -> None:
        self._broker_retrying(lambda: send_dead_letters(self.producer, self.settings.dlq_topic, letters,
                                                        self.settings.max_message_bytes))

    def _broker_retrying(self, action: Callable[[], T]) -> T:
        """Run `action` (dead letters, the change feed: they must reach the broker before the offsets are
        committed) until the broker takes it (ingest.outage.until_the_broker_takes)."""
        return until_the_broker_takes(action, lambda: self.stopping)

    def _report(self) -> None:
        if not self.report:
            return
        try:
            assigned = self.consumer.assignment()
            ends = self.consumer.end_offsets(list(assigned)) if assigned else {}
            self.stats.lag = sum(max(0, ends[tp] - self.consumer.position(tp)) for tp in ends) + len(self.pending)
        except Exception as exc:  # noqa: BLE001 - lag is informative only
            log.debug("lag unavailable: %s", exc)
        self.report(self.stats)
