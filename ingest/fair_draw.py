"""After an assignment, the first batch takes records from every partition in turn.

kafka-python hands out the records it fetched one partition at a time: all of one partition's fetch (up
to `max_partition_fetch_bytes`, 1 MiB, some 2,000 events) before any of the next one's. A worker that
takes over a dead member's partitions with a backlog on each filled its batches from one partition after
another, so the last one moved on only after three or four full batches: seconds after the first, on
top of the session timeout (the fault rig's 17-25 s pauses after a crash; BENCHMARKS.md, "Failover
after a crash"). Smaller fetches would spread every batch over all partitions, at a third of a worker's
throughput (a batch then holds fewer events of each container). So only the first batch after an
assignment draws in turn: at most its share (batch size / partitions) from a partition, which is then
paused (kafka-python keeps the rest of its fetch parked) until every assigned partition has given its
share or none has more to give; then they are all resumed and batches fill as before.
"""
from __future__ import annotations

import math
from typing import Any

from kafka import TopicPartition


class FairDraw:
    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.assignments_seen = 0
        self.drawn: set[TopicPartition] | None = None  # while drawing in turn: the partitions that gave

    @property
    def active(self) -> bool:
        return self.drawn is not None

    def limit(self, consumer: Any, room: int) -> int:
        """How many records the next poll may take."""
        free_parked(consumer)
        return min(room, self._share(consumer)) if self.drawn is not None else room

    def take(self, consumer: Any, assignments: int, polled: dict[TopicPartition, list[Any]]
             ) -> dict[TopicPartition, list[Any]]:
        """What the batch keeps of a poll's records (`assignments`: how many the group had made by the
        poll's end). A poll that brought an assignment brought records too: past a partition's share
        they are handed back (the partition is sought back to the first of them)."""
        if assignments != self.assignments_seen:
            self.assignments_seen = assignments
            self._finish(consumer)
            self.drawn = set()
        if self.drawn is None:
            return polled
        if not polled:
            if self.drawn:
                self._finish(consumer)  # the others have nothing to give now
            return polled
        share = self._share(consumer)
        kept = {}
        for tp, records in polled.items():
            if len(records) > share:
                consumer.seek(tp, records[share].offset)
                records = records[:share]
            kept[tp] = records
        self.drawn |= set(kept)
        if self.drawn >= set(consumer.assignment()):
            self._finish(consumer)
        else:
            consumer.pause(*kept)
        return kept

    def _share(self, consumer: Any) -> int:
        return max(1, math.ceil(self.batch_size / max(1, len(consumer.assignment()))))

    def _finish(self, consumer: Any) -> None:
        if self.drawn:
            paused = set(consumer.paused()) & self.drawn
            if paused:
                consumer.resume(*paused)
        self.drawn = None


def free_parked(consumer: Any) -> None:
    """Work around a kafka-python 3.0.12 bug; call before every poll. A partition paused while its fetched
    records are in line is parked (KAFKA-7548), and its records are restored on a later poll only while
    the in-line slot is empty (None). But a slot that was read to its end keeps its drained records object
    instead of None: the parked records never come back, and the partition, counted as having records
    waiting, is never fetched again (tests/ingest/test_fair_draw.py stalled so). Empty a drained slot."""
    fetcher: Any = getattr(consumer, "_fetcher", None)
    current = getattr(fetcher, "_next_partition_records", None)
    if current is not None and not current and getattr(fetcher, "_paused_partition_records", None):
        fetcher._next_partition_records = None
