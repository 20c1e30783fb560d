"""After an assignment a worker's first batch draws from every partition in turn (ingest.fair_draw), so a
worker taking over partitions with a backlog on each moves all of them on at once. kafka-python hands
out one partition's whole fetch before the next's: the first batches each came from one partition, and
the last partition waited for three more (the fault rig's long pauses after a crash)."""
from __future__ import annotations

from typing import Any

from stdnum import iso6346

from clearance.config import ingest_settings
from events.codec import encode, message_key
from events.kafka import ensure_topics, make_producer
from ingest.runner import IngestWorker
from models.db import make_engine, session_factory
from tests.ingest.test_worker import stored_ids
from tests.support.factories import event

PARTITIONS, EACH = 4, 600


def container_no(serial: int) -> str:
    body = f"TCLU{serial:06d}"
    return body + iso6346.calc_check_digit(body)


def backlog(bootstrap: str, topic: str) -> None:
    """EACH events on every partition, each of a container of its own."""
    ensure_topics(bootstrap, {topic: PARTITIONS})
    producer = make_producer(bootstrap, linger_ms=10)
    futures = []
    for partition in range(PARTITIONS):
        for i in range(EACH):
            e = event("GATE_IN", f"p{partition}-{i}", "2026-11-20T08:00:00+08:00",
                      container_no=container_no(partition * EACH + i))
            futures.append(producer.send(topic, key=message_key(e), value=encode(e), partition=partition))
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    producer.close()


def test_the_first_batch_after_an_assignment_moves_every_partition(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url, batch_size=400)
    backlog(settings.kafka_bootstrap_servers, settings.events_topic)
    engine = make_engine(sqlite_url)
    worker = IngestWorker(ingest_settings(settings), session_factory(engine))
    commits: list[dict[int, int]] = []  # each batch's records by partition, in order
    commit = worker._commit

    def recording(records: list[Any]) -> None:
        counts: dict[int, int] = {}
        for r in records:
            counts[r.partition] = counts.get(r.partition, 0) + 1
        commits.append(counts)
        commit(records)
    worker._commit = recording  # type: ignore[method-assign]
    try:
        worker.run(max_idle=3)
    finally:
        engine.dispose()
    assert len(stored_ids(sqlite_url)) == PARTITIONS * EACH
    assert set(commits[0]) == set(range(PARTITIONS)), f"the first batch drew from {commits[0]} only"
    assert all(count <= 100 for count in commits[0].values()), commits[0]  # its share: 400 / 4
    assert sum(sum(batch.values()) for batch in commits) == PARTITIONS * EACH, "a record held back, or twice"
