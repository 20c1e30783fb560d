"""Order-insensitivity as a property: any permutation of a simulated stream, with duplicates, split into
any batches, gives the same stored state as storing it in order."""
from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from clearance.simulate import SimConfig, generate
from events.codec import ClearanceEvent, InvalidEvent, decode
from models import Base, Container
from models.db import make_engine, session_factory
from models.operations import container_visits, store_events

START = datetime(2026, 11, 1, tzinfo=timezone.utc)


@lru_cache(maxsize=1)
def simulated_events() -> tuple[ClearanceEvent, ...]:
    """A few hundred simulated messages, malformed ones left out, duplicates, corrections and
    retractions kept."""
    events = []
    config = SimConfig(seed=7, count=400, start=START, malformed_share=0.0, duplicate_share=0.05,
                       correction_share=0.05, retraction_share=0.03)
    for message in generate(config):
        try:
            events.append(decode(message.value))
        except InvalidEvent:
            pass
    return tuple(events)


def memory_sessions() -> sessionmaker[Session]:
    engine = make_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return session_factory(engine)


def store_in_batches(sessions: sessionmaker[Session], events: list[ClearanceEvent], cuts: list[int]) -> None:
    start = 0
    for cut in [*sorted(set(cuts)), len(events)]:
        if cut <= start:
            continue
        with sessions() as session:
            store_events(session, events[start:cut])
            session.commit()
        start = cut


def snapshot(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        numbers = session.scalars(select(Container.container_no).order_by(Container.container_no)).all()
        return json.dumps({c: container_visits(session, c) for c in numbers}, sort_keys=True)


@lru_cache(maxsize=1)
def reference() -> str:
    sessions = memory_sessions()
    store_in_batches(sessions, list(simulated_events()), [])
    return snapshot(sessions)


def test_the_stream_is_rich_enough() -> None:
    events = simulated_events()
    assert len({e.key for e in events}) < len(events)  # duplicates or corrections
    assert any(e.retracts for e in events)
    assert any(e.updated_at for e in events)
    assert any(e.container_no is None for e in events)  # declaration and vessel fan-out
    assert json.loads(reference())


def draw_stream(data: st.DataObject, max_batches: int = 12) -> tuple[list[ClearanceEvent], list[int]]:
    """The simulated events with some delivered again, in any order, and where batches end."""
    events = list(simulated_events())
    extra = data.draw(st.lists(st.sampled_from(events), max_size=30), label="redelivered")
    order = data.draw(st.permutations(events + extra), label="order")
    cuts = data.draw(st.lists(st.integers(0, len(order)), max_size=max_batches), label="batch cuts")
    return order, cuts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_order_any_batches_same_state(data: st.DataObject) -> None:
    order, cuts = draw_stream(data)
    sessions = memory_sessions()
    store_in_batches(sessions, order, cuts)
    assert snapshot(sessions) == reference()


def test_shuffled_on_both_databases(sessions: sessionmaker[Session]) -> None:
    """The same property on the `database_url` fixture's SQLite file and PostgreSQL."""
    events = list(simulated_events())
    rng = random.Random(11)
    order = events + rng.sample(events, 40)
    rng.shuffle(order)
    store_in_batches(sessions, order, rng.sample(range(len(order)), 8))
    assert snapshot(sessions) == reference()
