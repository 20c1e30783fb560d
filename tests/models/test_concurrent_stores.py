"""Workers storing at the same time on PostgreSQL end where one store of the stream in order ends: a
simulated stream (duplicates, corrections, retractions) split by message key into partitions, each
partition scrambled and stored by a thread of its own in random batches, with its own reach cache, as
ingest workers do. No global lock orders them (models.rebuild_locks); a deadlock, if one comes, is
retried as the worker retries it."""
from __future__ import annotations

import random
import threading
import zlib

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent, message_key
from models.db import make_engine, session_factory
from models.operations import store_events
from models.reach import ReachCache
from tests.conftest import truncate
from tests.models.test_order_property import memory_sessions, simulated_events, snapshot, store_in_batches

WORKERS = 4


def partitions(events: list[ClearanceEvent], count: int, rnd: random.Random) -> list[list[ClearanceEvent]]:
    parts: list[list[ClearanceEvent]] = [[] for _ in range(count)]
    for e in events:
        parts[zlib.crc32(message_key(e) or b"") % count].append(e)
    for part in parts:
        rnd.shuffle(part)
    return parts


def consume(sessions: sessionmaker[Session], part: list[ClearanceEvent], rnd: random.Random,
            deadlocks: list[int], failures: list[BaseException]) -> None:
    cache = ReachCache(rnd.choice([0, 50, 5000]))
    start = 0
    try:
        while start < len(part):
            batch = part[start:start + rnd.randint(1, 60)]
            for _attempt in range(20):
                try:
                    with sessions() as session:
                        store_events(session, batch, cache)
                        session.commit()
                    break
                except OperationalError:  # a deadlock: the worker stores the batch again
                    deadlocks.append(1)
                    cache.clear()
            else:
                raise AssertionError("a batch failed 20 times")
            start += len(batch)
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)


@pytest.fixture
def engine(postgres_url: str) -> Engine:
    truncate(postgres_url)
    return make_engine(postgres_url)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_four_workers_at_once_end_as_one_in_order(engine: Engine, seed: int) -> None:
    events = list(simulated_events())
    expected = memory_sessions()
    store_in_batches(expected, events, [])
    rnd = random.Random(seed)
    sessions = session_factory(engine)
    deadlocks: list[int] = []
    failures: list[BaseException] = []
    threads = [threading.Thread(target=consume, args=(sessions, part, random.Random(rnd.random()), deadlocks,
                                                      failures))
               for part in partitions(events, WORKERS, rnd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    engine.dispose()
    assert not failures and not any(t.is_alive() for t in threads)
    assert snapshot(sessions) == snapshot(expected)
    assert len(deadlocks) < 10
