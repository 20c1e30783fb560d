"""A batch's records decide how long it may stay open and the offsets its commit advances to."""
from __future__ import annotations

import time
from types import SimpleNamespace

from kafka import TopicPartition

from ingest.batching import batch_wait, next_offsets


def record(partition: int, offset: int, produced: float | None = None) -> SimpleNamespace:
    stamp = None if produced is None else int(produced * 1000)
    return SimpleNamespace(topic="t", partition=partition, offset=offset, timestamp=stamp)


def test_the_commit_advances_each_partition_past_its_newest_record_in_any_order() -> None:
    offsets = next_offsets([record(0, 7), record(1, 3), record(0, 5), record(0, 9), record(1, 2)])
    assert {tp: o.offset for tp, o in offsets.items()} == {TopicPartition("t", 0): 10, TopicPartition("t", 1): 4}


def test_records_that_waited_in_the_topic_shorten_the_wait() -> None:
    now = time.time()
    assert batch_wait([record(0, 1)], 0.2) == 0.2  # no timestamp: the whole wait
    assert batch_wait([record(0, 1, now + 60)], 0.2) == 0.2  # a producer's clock ahead never lengthens it
    assert batch_wait([record(0, 1, now - 5), record(0, 2, now)], 0.2) == 0.0  # the oldest waited long
    assert 0.0 < batch_wait([record(0, 1, now - 0.1)], 0.2) < 0.15
