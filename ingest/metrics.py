"""An ingest worker's Prometheus metrics, in a registry of its own (several workers can share a process,
as the tests' do). The runner calls `count_batch` after each batch, `count_database_retry` on each retried
database error and `observe_consumer` from its poll loop; `ingest.metrics_server` serves the registry.

Labels have bounded values only: dead-letter reason codes (`reason_code`, never the reason's text, which
may quote a container number) and partition numbers."""
from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Sequence
from typing import Any

from kafka import TopicPartition
from kafka.errors import KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ingest.triage import DeadLetter
from models.operations import StoreResult

# Seconds; a batch closes after CLEARANCE_BATCH_SECONDS (0.1) and a large one takes a few seconds.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
POSITION_WAIT_MS = 100  # at most this long for a position being reset or validated, once a second
CONSUMER_EVERY_SECONDS = 1.0  # lag and assignment are read from the consumer at most this often

# The first words of every reason events.codec, ingest.triage and ingest.handlers give, and their code.
REASON_CODES = (
    ("empty message", "empty"),
    ("message is ", "too_large"),
    ("not UTF-8", "not_utf8"),
    ("not JSON", "not_json"),
    ("not acceptable JSON", "not_json"),
    ("not a JSON object", "not_object"),
    ("not valid Unicode", "bad_unicode"),
    ("not encodable as JSON", "bad_unicode"),
    ("could not be checked", "check_failed"),
    ("the database refused", "database_refused"),
)


def reason_code(reason: str) -> str:
    """The metric label of a dead-letter reason: one of REASON_CODES' codes, or `invalid_fields` for the
    rest (the contract's field checks: 'field: message; …')."""
    for start, code in REASON_CODES:
        if reason.startswith(start):
            return code
    return "invalid_fields"


class IngestMetrics:
    """The metrics of one worker. `registry` is what `ingest.metrics_server` serves."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        metric: dict[str, Any] = {"namespace": "clearance_ingest", "registry": self.registry}
        self.received = Counter("records_received", "Kafka records taken into a batch", **metric)
        self.stored = Counter("events_stored", "events stored: new ones and newer versions", **metric)
        self.unchanged = Counter("events_unchanged", "duplicates and superseded versions", **metric)
        self.dead_lettered = Counter("dead_letters", "records sent to the dead-letter topic, by reason code",
                                     ["reason"], **metric)
        self.containers_changed = Counter("containers_changed", "containers whose state changed", **metric)
        self.database_retries = Counter("database_retries", "database errors retried with backoff", **metric)
        self.database_unreachable = Gauge("database_unreachable", "1 while a batch waits for the database",
                                          **metric)
        self.batch_seconds = Histogram(
            "batch_duration_seconds", "one batch: triage, dead letters, store, change feed, offset commit",
            buckets=DURATION_BUCKETS, **metric)
        self.store_seconds = Histogram(
            "store_duration_seconds", "storing a batch and rebuilding the containers it reaches, commits "
            "included", buckets=DURATION_BUCKETS, **metric)
        self.rebuild_seconds = Histogram(
            "rebuild_duration_seconds", "of which rebuilding the containers the batch reaches: their "
            "events read, visits computed, states written", buckets=DURATION_BUCKETS, **metric)
        self.rebuild_wait_seconds = Histogram(
            "rebuild_lock_wait_seconds", "of which waiting for other workers' rebuilds (their locks)",
            buckets=DURATION_BUCKETS, **metric)
        self.lag = Gauge("consumer_lag", "records behind the partition's end, batched ones included",
                         ["partition"], **metric)
        self.partitions = Gauge("assigned_partitions", "partitions of the events topic this worker owns",
                                **metric)
        self.lag_partitions: set[str] = set()  # the partitions `lag` has a value for
        self.next_consumer_look = 0.0

    def count_batch(self, records: int, result: StoreResult, dead: Sequence[DeadLetter],
                    store_seconds: float, batch_seconds: float) -> None:
        """After a batch was stored, announced and its offsets committed."""
        self.received.inc(records)
        self.stored.inc(result.stored)
        self.unchanged.inc(result.unchanged)
        self.containers_changed.inc(len(result.changed_containers))
        for code, count in Tally(reason_code(letter.reason) for letter in dead).items():
            self.dead_lettered.labels(code).inc(count)
        self.store_seconds.observe(store_seconds)
        self.rebuild_seconds.observe(result.rebuild_seconds)
        self.rebuild_wait_seconds.observe(result.waited_seconds)
        self.batch_seconds.observe(batch_seconds)

    def count_database_retry(self) -> None:
        self.database_retries.inc()
        self.database_unreachable.set(1)

    def database_back(self) -> None:
        self.database_unreachable.set(0)

    def observe_consumer(self, consumer: Any, pending: Sequence[Any]) -> None:
        """Assigned partitions and lag per partition (the end the last fetch saw, minus the position, plus
        records polled but not yet committed), at most every CONSUMER_EVERY_SECONDS. Called from the
        worker's own thread: the consumer is not thread-safe."""
        now = time.monotonic()
        if now < self.next_consumer_look:
            return
        self.next_consumer_look = now + CONSUMER_EVERY_SECONDS
        assigned: set[TopicPartition] = set(consumer.assignment())
        self.partitions.set(len(assigned))
        waiting = Tally(TopicPartition(r.topic, r.partition) for r in pending)
        reported: set[str] = set()
        for tp in assigned:
            end = consumer.highwater(tp)  # None until the first fetch of the partition answered
            if end is None:
                continue
            reported.add(str(tp.partition))
            position = _known_position(consumer, tp)
            if position is not None:  # else its last lag stands while its position is being reset
                self.lag.labels(str(tp.partition)).set(max(0, end - position) + waiting[tp])
        for partition in self.lag_partitions - reported:  # revoked: its new owner reports it
            self.lag.remove(partition)
        self.lag_partitions = reported


def _known_position(consumer: Any, tp: TopicPartition) -> int | None:
    """The consumer's position on `tp`, or None when it is not known without the brokers: a partition
    just lost or revoked asks them (committed offsets, a reset, a validation), and with no broker there
    kafka-python raises their connection error, which once ended a worker whose broker stopped."""
    try:
        return consumer.position(tp, timeout_ms=POSITION_WAIT_MS)  # type: ignore[no-any-return]
    except KafkaError:
        return None
