"""Producer helper, topic set-up and the broker probe shared by the simulator, `clearance publish`, ingest
and the portal."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import (KafkaError, MessageSizeTooLargeError, RecordListTooLargeError, TopicAlreadyExistsError,
                          UnknownError)
from kafka.producer.future import FutureRecordMetadata

log = logging.getLogger(__name__)


def make_producer(bootstrap: str, **options: object) -> KafkaProducer:
    """A producer that waits for the broker to store each message (acks=all) and retries in order (one
    request in flight).

    Not idempotent: kafka-python 3's idempotent producer, its default, turns any refusal no retry mends
    (a message too large for the topic, a policy) into a fatal state in which every later send fails
    until the process restarts, so one refused message would stop the change feed, the dead-letter
    topic or the alerts. The duplicates a retry may write are harmless here: ingest stores an event once
    by its key, and every reader of the feed and the alerts keeps the highest version."""
    settings: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "enable_idempotence": False,
        "acks": "all",
        "linger_ms": 5,
        "max_in_flight_requests_per_connection": 1,
        "retries": 5,
        "max_request_size": 2 * 1024 * 1024,
    }
    settings.update(options)
    return KafkaProducer(**settings)


def refused_as_too_large(producer: KafkaProducer, futures: Sequence[FutureRecordMetadata],
                         timeout: float = 30.0) -> list[bool]:
    """Send what `producer` holds now and wait for each of these sends: whether the broker refused it as
    too large for its topic (for good: no retry mends it). Raises any other failure.

    kafka-python 3.0's flush() raises UnknownError('Future not done') once the sender has split a batch
    the broker refused as too large; each future's get() waits through the split."""
    try:
        producer.flush()
    except UnknownError:
        pass
    return [_too_large(future, timeout) for future in futures]


def _too_large(future: FutureRecordMetadata, timeout: float) -> bool:
    try:
        future.get(timeout=timeout)
    except (MessageSizeTooLargeError, RecordListTooLargeError):
        return True
    return False


@dataclass(frozen=True)
class TopicSpec:
    """How a missing topic is made: its partitions, the replicas of each and its min.insync.replicas,
    None leaving either to the broker (default.replication.factor, min.insync.replicas). With acks=all
    a write is acknowledged once min.insync.replicas replicas hold it, refused while fewer are in sync."""

    partitions: int
    replication_factor: int | None = None
    min_insync_replicas: int | None = None

    def new_topic(self, name: str) -> NewTopic:
        configs = {} if self.min_insync_replicas is None else {"min.insync.replicas": str(self.min_insync_replicas)}
        replicas = -1 if self.replication_factor is None else self.replication_factor  # -1: the broker's
        return NewTopic(name, self.partitions, replicas, topic_configs=configs)


def ensure_topics(bootstrap: str, partitions: Mapping[str, int | TopicSpec]) -> None:
    """Create the topics that do not exist yet ({name: TopicSpec, or partitions alone: the broker's
    replication}); existing ones are left alone, their partitions and replicas as they are."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="clearance-setup")
    try:
        existing = set(admin.list_topics())
        missing = [(spec if isinstance(spec, TopicSpec) else TopicSpec(spec)).new_topic(name)
                   for name, spec in partitions.items() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process made it meanwhile
            log.info("created topics %s", ", ".join(t.name for t in missing))
    finally:
        admin.close()


def header(headers: Iterable[tuple[str, bytes]] | None, name: str) -> str | None:
    """The value of one Kafka header as text, or None."""
    for key, value in headers or ():
        if key == name:
            return value.decode()
    return None


def broker_reachable(bootstrap: str, timeout: float = 3.0) -> None:
    """Return when a broker at `bootstrap` answers a cluster-metadata request listing a broker, within
    about `timeout` seconds; raise KafkaError (or OSError) otherwise. For readiness probes: it opens and
    closes its own connection, so any thread may call it."""
    ms = max(int(timeout * 1000), 500)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="clearance-readiness",
                             request_timeout_ms=ms, bootstrap_timeout_ms=ms, reconnect_backoff_max_ms=500)
    try:
        if not admin.describe_cluster().get("brokers"):
            raise KafkaError("the cluster lists no broker")
    finally:
        admin.close()
