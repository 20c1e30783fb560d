"""A worker's memory of what reaches its containers (models.reach) never changes the stored state: with
one cache or several (one per worker), dropped at random, after rollbacks, the state is the state
storing the same events without any cache gives."""
from __future__ import annotations

import random
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from models.operations import container_visits, store_events
from models.reach import ReachCache
from tests.models.test_order_property import draw_stream, memory_sessions, reference, simulated_events, snapshot
from tests.support.factories import CONTAINER, DECLARATION, declaration, event, vessel


def store_as_workers(sessions: sessionmaker[Session], order: list[ClearanceEvent], cuts: list[int],
                     workers: list[int], drops: set[int], caches: list[ReachCache]) -> None:
    """Batch i is stored by worker workers[i] with its own cache; before batch i in `drops`, that
    worker's cache is emptied (a restart)."""
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(order)}), len(order)]
    for i, (start, end) in enumerate(zip(bounds, bounds[1:])):
        cache = caches[workers[i % len(workers)]]
        if i in drops:
            cache.clear()
        with sessions() as session:
            store_events(session, order[start:end], cache)
            session.commit()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_workers_with_caches_store_what_storing_without_one_does(data: st.DataObject) -> None:
    order, cuts = draw_stream(data, max_batches=16)
    workers = data.draw(st.lists(st.integers(0, 2), min_size=1, max_size=17), label="worker of each batch")
    drops = set(data.draw(st.lists(st.integers(0, 16), max_size=3), label="cache dropped before batch"))
    caches = [ReachCache(10_000) for _ in range(3)]
    sessions = memory_sessions()
    store_as_workers(sessions, order, cuts, workers, drops, caches)
    assert snapshot(sessions) == reference()


def test_in_time_order_most_containers_come_from_memory() -> None:
    """Not a stub: a worker that stores a stream in batches rebuilds most containers from its cache."""
    events = sorted(simulated_events(), key=lambda e: e.occurred_at)
    cache = ReachCache(10_000)
    sessions = memory_sessions()
    store_as_workers(sessions, events, list(range(25, len(events), 25)), [0], set(), [cache])
    assert snapshot(sessions) == reference()
    # 16 batches of the stream's first 400 messages (93 cached rebuilds since the simulator's stuck cases)
    assert cache.hits > 50 and cache.hits > 3 * cache.misses


def test_two_workers_on_database(sessions: sessionmaker[Session]) -> None:
    """The same on the `database_url` fixture's SQLite file and PostgreSQL: two workers, shuffled."""
    events = list(simulated_events())
    rng = random.Random(5)
    order = events + rng.sample(events, 40)
    rng.shuffle(order)
    caches = [ReachCache(10_000), ReachCache(10_000)]
    store_as_workers(sessions, order, rng.sample(range(len(order)), 12), [0, 1, 1, 0], {7}, caches)
    assert snapshot(sessions) == reference()
    assert caches[0].hits + caches[1].hits > 0


def _types(sessions: sessionmaker[Session], container_no: str = CONTAINER) -> list[str]:
    with sessions() as session:
        return [entry["type"] for visit in container_visits(session, container_no) for entry in visit["timeline"]]


def _store(sessions: sessionmaker[Session], cache: ReachCache, *events: ClearanceEvent,
           commit: bool = True) -> None:
    with sessions() as session:
        store_events(session, list(events), cache)
        session.commit() if commit else session.rollback()


def test_a_worker_sees_what_another_worker_stored_in_between() -> None:
    sessions = memory_sessions()
    a, b = ReachCache(100), ReachCache(100)
    _store(sessions, a, event("ARRIVAL_REPORTED", "t-1", "2026-11-02T08:00:00+08:00"))
    _store(sessions, b, event("GATE_IN", "t-2", "2026-11-02T09:00:00+08:00"))
    _store(sessions, a, event("LOADED", "t-3", "2026-11-03T09:00:00+08:00"))
    assert _types(sessions) == ["ARRIVAL_REPORTED", "GATE_IN", "LOADED"]
    assert a.hits == 0  # b's batch left another token: a read the container again


def test_a_rolled_back_batch_leaves_nothing_in_memory() -> None:
    sessions = memory_sessions()
    cache = ReachCache(100)
    _store(sessions, cache, event("ARRIVAL_REPORTED", "t-1", "2026-11-02T08:00:00+08:00"))
    _store(sessions, cache, event("GATE_IN", "t-2", "2026-11-02T09:00:00+08:00"), commit=False)
    _store(sessions, cache, event("LOADED", "t-3", "2026-11-03T09:00:00+08:00"))
    assert _types(sessions) == ["ARRIVAL_REPORTED", "LOADED"]


def test_a_new_declaration_link_brings_the_declarations_earlier_events() -> None:
    sessions = memory_sessions()
    cache = ReachCache(100)
    _store(sessions, cache, event("GATE_IN", "t-1", "2026-11-02T09:00:00+08:00"))
    _store(sessions, cache, declaration("DECLARATION_ACCEPTED", "c-1", "2026-11-02T10:00:00+08:00"),
           vessel("VESSEL_ARRIVED", "m-1", "2026-11-02T06:00:00+08:00"))
    assert _types(sessions) == ["VESSEL_ARRIVED", "GATE_IN"]  # not linked to the declaration yet
    _store(sessions, cache, event("ARRIVAL_REPORTED", "t-2", "2026-11-02T11:00:00+08:00", declaration_no=DECLARATION))
    assert _types(sessions) == ["VESSEL_ARRIVED", "GATE_IN", "DECLARATION_ACCEPTED", "ARRIVAL_REPORTED"]
    assert cache.hits == 2
