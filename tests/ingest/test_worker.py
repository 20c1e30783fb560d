"""An ingest worker against the real broker and both databases: stores, dead-letters, commits."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from clearance.config import ingest_settings
from events import topics
from events.codec import encode, message_key
from events.kafka import make_producer
from ingest.runner import IngestWorker
from ingest.triage import DeadLetterRunTooLong
from models import StoredEvent
from models.db import make_engine, session_factory
from tests.support.factories import event
from tests.support.pipeline import committed, end_offsets, header, produce, read_all


def gate_ins(count: int) -> list[tuple[bytes | None, bytes]]:
    events = [event("GATE_IN", f"g{i}", "2026-11-20T08:00:00+08:00") for i in range(count)]
    return [(message_key(e), encode(e)) for e in events]


def stored_ids(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        ids = set(session.scalars(select(StoredEvent.event_id)))
    engine.dispose()
    return ids


def run_worker(settings, within: float | None = None, **kwargs) -> IngestWorker:  # type: ignore[no-untyped-def]
    """Run a worker until 3 s without a message; `within` seconds at most, when given (then stopped, and
    the test fails)."""
    engine = make_engine(settings.database_url)
    worker = IngestWorker(ingest_settings(settings), session_factory(engine), **kwargs)
    stuck: list[bool] = []
    timer = threading.Timer(within or 0, lambda: (stuck.append(True), worker.stop()))
    if within:
        timer.start()
    try:
        worker.run(max_idle=3)
    finally:
        timer.cancel()
        engine.dispose()
    assert not stuck, f"the worker was still at it after {within} s"
    return worker


def test_valid_stored_invalid_dead_lettered_offsets_committed(database_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    good = gate_ins(50)
    bad = [(b"CICU3789922", b"\xff\xfe"), (None, b"[1,2]"),
           (None, json.dumps({"schema_version": 1}).encode())]
    produce(settings.kafka_bootstrap_servers, settings.events_topic, good[:20] + bad + good[20:] + good[:5])
    worker = run_worker(settings)
    assert stored_ids(database_url) == {f"g{i}" for i in range(50)}
    assert (worker.stats.stored, worker.stats.unchanged, worker.stats.dead_lettered) == (50, 5, 3)
    letters = read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)
    assert sorted(r.value for r in letters) == sorted(v for _, v in bad)
    reasons = {r.value: header(r, topics.DLQ_REASON) for r in letters}
    assert reasons[b"\xff\xfe"].startswith("not UTF-8")
    assert reasons[b"[1,2]"] == "not a JSON object but a JSON array"
    assert "event_id: Missing data" in reasons[json.dumps({"schema_version": 1}).encode()]
    assert all(header(r, topics.DLQ_SOURCE_TOPIC) == settings.events_topic for r in letters)
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == \
        end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)


def test_restarted_worker_resumes_and_stores_nothing_twice(database_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(30))
    assert run_worker(settings).stats.received == 30
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(40))
    second = run_worker(settings)
    assert second.stats.received == 40  # only what came after the commit
    assert (second.stats.stored, second.stats.unchanged) == (10, 30)
    assert len(stored_ids(database_url)) == 40


def test_run_of_dead_letters_stops_without_committing(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url, dlq_run_limit=5)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, [(None, b"nope")] * 10, partitions=1)
    with pytest.raises(DeadLetterRunTooLong, match="CLEARANCE_DLQ_RUN_LIMIT=5"):
        run_worker(settings)
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == {}
    assert read_all(settings.kafka_bootstrap_servers, settings.dlq_topic) == []


def stop_when(worker: IngestWorker, condition: Callable[[], bool], timeout: float = 90) -> list[bool]:
    """Stop `worker` (running in this thread) once `condition()` holds, from another thread; the list
    returned gets True if it held, False if the time ran out."""
    seen: list[bool] = []

    def watch() -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)
        seen.append(condition())
        worker.stop()
    threading.Thread(target=watch, daemon=True).start()
    return seen


def test_database_down_the_worker_waits_in_its_group_commits_nothing_then_all_is_stored(  # type: ignore[no-untyped-def]
        sqlite_url, make_settings, monkeypatch) -> None:
    monkeypatch.setattr("ingest.outage.RETRY_DELAYS", (0.1, 0.1))
    monkeypatch.setattr("ingest.outage.RETRY_CAP", 0.2)
    down = make_settings("postgresql://nobody:wrong@127.0.0.1:1/none")
    produce(down.kafka_bootstrap_servers, down.events_topic, gate_ins(25))
    worker = IngestWorker(ingest_settings(down), session_factory(make_engine(down.database_url)))
    retries = "clearance_ingest_database_retries_total"
    seen = stop_when(worker, lambda: (worker.metrics.registry.get_sample_value(retries) or 0) >= 8
                     and worker.rebalances.joined)  # still in its group, its partitions its own
    worker.run(max_idle=60)  # returns at the stop: the open batch left uncommitted, no error raised
    assert seen == [True]
    assert worker.stats.database_down_since is not None
    assert "database unreachable" in worker.stats.line()
    assert committed(down.kafka_bootstrap_servers, down.group_id, down.events_topic) == {}
    run_worker(make_settings(sqlite_url))
    assert len(stored_ids(sqlite_url)) == 25


def test_records_that_already_waited_in_the_topic_are_stored_without_waiting_again(  # type: ignore[no-untyped-def]
        sqlite_url, make_settings) -> None:
    """A batch may wait CLEARANCE_BATCH_SECONDS for more records, counted from when its oldest record was
    produced: records that sat in the topic while the worker was busy (here: stamped an hour ago) go out
    with the next flush instead of waiting the whole batch time once more."""
    settings = make_settings(sqlite_url, batch_seconds=300.0)
    producer = make_producer(settings.kafka_bootstrap_servers)
    an_hour_ago = int((time.time() - 3600) * 1000)
    for key, value in gate_ins(5):
        producer.send(settings.events_topic, key=key, value=value, timestamp_ms=an_hour_ago)
    producer.flush()
    producer.close()
    started, stored_at = time.monotonic(), []
    worker = run_worker(settings, on_stored=lambda _: stored_at.append(time.monotonic()))
    assert worker.stats.stored == 5 and len(stored_at) == 1
    assert stored_at[0] - started < 90  # not the 300 s batch time (a group join takes seconds, a stuck one 20)


def test_a_batch_filled_during_an_outage_is_not_polled_past(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    """Records polled to stay in the group while the database is away (partitions assigned meanwhile)
    can fill the open batch: the next poll must not ask kafka-python for no records at all (it raised
    ValueError and ended a worker in the fault suite); the loop flushes the full batch instead."""
    settings = make_settings(sqlite_url, batch_size=20)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(30))
    worker = IngestWorker(ingest_settings(settings), session_factory(make_engine(sqlite_url)))
    try:
        worker.pending = [object()] * 25  # more than a batch, as after an outage
        assert worker._poll(0.1) == []
    finally:
        worker.consumer.close(autocommit=False)
        worker.producer.close()
