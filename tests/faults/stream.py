"""The stream every fault test plays: 100,000 simulated messages, 1 % of them malformed, the same in
each test, so the state one in-order store gives is computed once per session."""
from __future__ import annotations

import functools
from datetime import datetime, timezone

from clearance.simulate import SimConfig, SimMessage, generate
from events.codec import ClearanceEvent, decode
from tests.models.test_order_property import memory_sessions, snapshot, store_in_batches

COUNT = 100_000
SEED = 2031
START = datetime(2026, 11, 1, tzinfo=timezone.utc)


@functools.cache
def messages() -> tuple[SimMessage, ...]:
    return tuple(generate(SimConfig(seed=SEED, count=COUNT, start=START, malformed_share=0.01)))


@functools.cache
def newest_versions() -> dict[tuple[str, str, str], object]:
    """{(source, publisher, event id): the newest version} of the valid events."""
    newest: dict[tuple[str, str, str], ClearanceEvent] = {}
    for event in valid_events():
        if event.key not in newest or newest[event.key].version < event.version:
            newest[event.key] = event
    return {key: event.version for key, event in newest.items()}


@functools.cache
def valid_events() -> tuple[ClearanceEvent, ...]:
    return tuple(decode(m.value) for m in messages() if m.valid)


@functools.cache
def bad_values() -> frozenset[bytes]:
    """The bytes of every malformed message (a message re-sent after a lost acknowledgement is on the
    topic twice: which records are bad is read from the topic, by these bytes)."""
    return frozenset(m.value for m in messages() if not m.valid)


@functools.cache
def reference_state() -> str:
    """Every container's visits after storing the valid events in order, in one go."""
    sessions = memory_sessions()
    store_in_batches(sessions, list(valid_events()), [])
    return snapshot(sessions)


def busiest_containers(count: int) -> list[str]:
    """The containers the most valid events name, for a live client to follow."""
    seen: dict[str, int] = {}
    for event in valid_events():
        for number in ([event.container_no] if event.container_no else []) + list(event.containers or ()):
            seen[number] = seen.get(number, 0) + 1
    return sorted(seen, key=lambda number: (-seen[number], number))[:count]
