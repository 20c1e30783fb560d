"""A worker that polls without waiting (its batch's wait is spent) finishes every rejoin, including
one its own metadata starts: partitions added to the topic. kafka-python 3.0.12 alone leaves that
rejoin unfinished (see ingest.rebalances.finish_stranded_join)."""
from __future__ import annotations

import time

from kafka.admin import KafkaAdminClient, NewPartitions

from clearance.config import ingest_settings, pipeline_topics
from events.kafka import ensure_topics
from ingest import consumer
from ingest.runner import REJOIN_TIMEOUT, IngestWorker
from models.db import make_engine, session_factory


def assigned_partitions(worker: IngestWorker, count: int, within: float) -> float:
    """Poll as the worker does with a spent wait (timeout 0) until it holds `count` partitions of its
    topic; the seconds that took."""
    started = time.monotonic()
    while True:
        worker._poll(0.0)
        assignment = worker.consumer.assignment()
        if worker.rebalances.joined and len(assignment) == count:
            return time.monotonic() - started
        assert time.monotonic() - started < within, (
            f"no assignment of {count} partitions after {within:.0f} s (holding {len(assignment)}, "
            f"joined={worker.rebalances.joined})")
        time.sleep(0.002)


def test_partitions_added_are_taken_by_a_worker_polling_without_waiting(sqlite_url, make_settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(consumer, "METADATA_MAX_AGE_MS", 1000)
    settings = make_settings(sqlite_url)
    topics = pipeline_topics(settings)
    ensure_topics(settings.kafka_bootstrap_servers, topics)
    before = topics[settings.events_topic].partitions
    engine = make_engine(sqlite_url)
    worker = IngestWorker(ingest_settings(settings), session_factory(engine))
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        worker._subscribe()
        assigned_partitions(worker, before, within=REJOIN_TIMEOUT / 2)
        admin.create_partitions({settings.events_topic: NewPartitions(before + 2)})
        assigned_partitions(worker, before + 2, within=REJOIN_TIMEOUT / 2)
    finally:
        admin.close()
        worker.consumer.close(autocommit=False)
        worker.producer.close()
        engine.dispose()
