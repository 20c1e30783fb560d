"""`generate`: the seeded stream of Kafka messages, and helpers for tests.

Two passes over the same seeded plan: the first replays only times and positions to find the simulated
moment the stream's last message reaches, the second builds the messages on a clock that puts that
moment at config.start. So the stream is a history that ends at `start`, whatever count and speed are.
"""
from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from random import Random
from typing import TypeVar

from clearance.simulate.builder import Builder, built_events
from clearance.simulate.calls import Calls, planned_events
from clearance.simulate.config import SimConfig, SimMessage, latest_timestamp
from clearance.simulate.extras import Schedule
from clearance.simulate.mixer import Mixer

T = TypeVar("T")
DELAYED_SHARE = 0.35  # messages delivered late (by up to reorder_window positions)


def generate(config: SimConfig) -> Iterator[SimMessage]:
    """Yield exactly config.count messages; the same config always yields the same bytes."""
    if config.count == 0:
        return
    calls = Calls(config)
    builder = Builder(config, end_of_history(config, calls))
    mixer = Mixer(config, builder, int(latest_timestamp(config).timestamp()))
    mixed = mixer.mix(built_events(builder, planned_events(calls.second_pass(config))))
    delivered = reorder(mixed, config.reorder_window, Random(f"{config.seed}:order"))
    for key, value, valid, kind in islice(delivered, config.count):
        yield SimMessage(key, value, valid, kind)


def end_of_history(config: SimConfig, calls: Calls) -> float:
    """Simulated time that config.start stands for: the latest planned event the stream reaches.

    Replays the schedule of extras and the reordering without building any message: every message
    delivered carries the time of the latest ordinary event before it, the maximum of those is the end.
    """
    times = Schedule(config).mix(planned_events(calls.first_pass()))
    delivered = reorder(times, config.reorder_window, Random(f"{config.seed}:order"))
    return max(islice(delivered, config.count))


def reorder(items: Iterable[T], window: int, rng: Random) -> Iterator[T]:
    """Out-of-order delivery: a share of items is delayed by up to `window` places; the rest keep order."""
    if window <= 0:
        yield from items
        return
    heap: list[tuple[float, int, T]] = []
    spread = window / DELAYED_SHARE
    for position, item in enumerate(items):
        u = rng.random()
        heapq.heappush(heap, (position + u * spread if u < DELAYED_SHARE else position, position, item))
        while heap and heap[0][0] < position + 1:  # nothing still to come can be placed before it
            yield heapq.heappop(heap)[2]
    while heap:
        yield heapq.heappop(heap)[2]


def expected_keys(messages: Iterable[SimMessage]) -> set[tuple[str, str]]:
    """The distinct (source, publisher, event_id) of the valid messages: what a correct consumer ends up storing
    (retraction notices included)."""
    keys = set()
    for message in messages:
        if message.valid:
            event = json.loads(message.value)
            keys.add((event["source"], event["publisher"], event["event_id"]))
    return keys
