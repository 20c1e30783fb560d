"""kill -9 the ingest worker at random moments during a 20,000-message simulated stream, restart it each
time: every valid event is stored exactly once (its newest version), every bad one is in the DLQ, and the
stored state equals storing the same events in one go, on both databases. Two workers killed in turn on
a 100,000-message stream, with the other faults, are tests/faults/test_processes.py."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
from kafka import KafkaProducer
from sqlalchemy import select

from clearance.config import Settings
from clearance.simulate import SimConfig, SimMessage, generate
from events import topics
from events.codec import ClearanceEvent, decode
from events.kafka import ensure_topics, make_producer
from models import StoredEvent
from models.db import make_engine, session_factory
from tests.conftest import settings_env
from tests.models.test_order_property import memory_sessions, snapshot, store_in_batches
from tests.ingest.test_process import count_stored
from tests.support.pipeline import committed, end_offsets, header, read_all

COUNT = 20_000
START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def publish_slowly(producer: KafkaProducer, topic: str, messages: list[SimMessage],
                   placed: dict[int, tuple[int, int]]) -> None:
    """Publish in chunks over a few seconds, recording where each message landed."""
    for start in range(0, len(messages), 1000):
        futures = [(i, producer.send(topic, key=m.key, value=m.value))
                   for i, m in enumerate(messages[start:start + 1000], start=start)]
        producer.flush()
        for i, future in futures:
            meta = future.get(timeout=30)
            placed[i] = (meta.partition, meta.offset)
        time.sleep(0.3)


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "clearance.cli", "ingest", "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_progress(url: str, before: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_stored(url) > before:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.faults
def test_kill_minus_nine_loses_and_duplicates_nothing(database_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    # A static member (instance id) gets its partitions back at once after a restart, without waiting
    # for the killed member's session to time out.
    settings = make_settings(database_url, batch_size=500, batch_seconds=0.2, instance_id="crash-worker")
    messages = list(generate(SimConfig(seed=2024, count=COUNT, start=START, malformed_share=0.01)))
    ensure_topics(settings.kafka_bootstrap_servers, {settings.events_topic: 4, settings.dlq_topic: 1})
    producer = make_producer(settings.kafka_bootstrap_servers, linger_ms=20, max_in_flight_requests_per_connection=5)
    placed: dict[int, tuple[int, int]] = {}
    publisher = threading.Thread(target=publish_slowly, args=(producer, settings.events_topic, messages, placed))
    env = settings_env(settings)
    rng = random.Random(99)
    publisher.start()
    kills = 0
    while kills < 5:
        before = count_stored(database_url)
        worker = start_worker(env)
        if not wait_for_progress(database_url, before, timeout=60):
            worker.kill()
            break  # everything stored before we could kill again
        time.sleep(rng.uniform(0.0, 1.0))  # a random moment while it is storing
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        kills += 1
    publisher.join()
    producer.close()
    final = subprocess.run([sys.executable, "-m", "clearance.cli", "ingest", "--quiet", "--max-idle", "5"],
                           env=env, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert kills >= 3
    assert_stored_exactly(messages, placed, settings, database_url)


def assert_stored_exactly(messages: list[SimMessage], placed: dict[int, tuple[int, int]], settings: Settings,
                          url: str) -> None:
    """Every valid event stored once in its newest version, every bad message dead-lettered once, all
    offsets committed, and the state equal to one store of the valid events in order."""
    valid = [decode(m.value) for m in messages if m.valid]
    newest: dict[tuple[str, str, str], ClearanceEvent] = {}
    for e in valid:
        if e.key not in newest or newest[e.key].version < e.version:
            newest[e.key] = e
    engine = make_engine(url)
    with session_factory(engine)() as session:
        stored = {(r.source, r.publisher, r.event_id): r.version for r in session.execute(
            select(StoredEvent.source, StoredEvent.publisher, StoredEvent.event_id, StoredEvent.version))}
    assert stored == {k: e.version for k, e in newest.items()}

    bad_positions = {placed[i] for i, m in enumerate(messages) if not m.valid}
    letters = read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)
    dead_positions = {(int(header(r, topics.DLQ_SOURCE_PARTITION)), int(header(r, topics.DLQ_SOURCE_OFFSET)))
                      for r in letters}
    assert len(bad_positions) >= len(messages) * 0.005
    assert dead_positions == bad_positions
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == \
        end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)

    reference = memory_sessions()
    store_in_batches(reference, valid, [])
    assert snapshot(session_factory(engine)) == snapshot(reference)
    engine.dispose()
