"""What the records of one batch decide: how long the batch may stay open, and the offsets its commit
advances to."""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata


def batch_wait(records: Sequence[Any], batch_seconds: float) -> float:
    """How long a batch opening with these records may wait for more: CLEARANCE_BATCH_SECONDS from when
    its oldest record was produced, so records that already waited in the topic while the worker was
    busy go out at once. Producers' clocks only ever shorten the wait."""
    stamps = [r.timestamp for r in records if r.timestamp is not None and r.timestamp >= 0]
    if not stamps:
        return batch_seconds
    waited = time.time() - min(stamps) / 1000
    return min(batch_seconds, max(0.0, batch_seconds - waited))


def next_offsets(records: Sequence[Any]) -> dict[TopicPartition, OffsetAndMetadata]:
    """For each partition of the records, the offset after the newest of them: what the commit stores."""
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        if tp not in offsets or offsets[tp].offset <= r.offset:
            offsets[tp] = OffsetAndMetadata(r.offset + 1, "", -1)
    return offsets
