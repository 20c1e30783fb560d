"""Reading the dead-letter topic without a consumer group (nothing is committed, no group is joined, the
workers' offsets are never touched): all of it, from a time on, or the letters at given offsets."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition

from clearance.dlq.letters import DeadLetterRecord, Position, label


class MissingLetters(LookupError):
    """Offsets that hold no dead letter; the message says which, and what the topic holds."""


class DeadLetterTopic:
    """The dead-letter topic of one broker. Use as a context manager (it holds a consumer)."""

    def __init__(self, bootstrap: str, topic: str, timeout: float = 15.0) -> None:
        wait_ms = int(timeout * 1000)
        self.topic, self.timeout = topic, timeout
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                      allow_auto_create_topics=False, client_id="clearance-dlq",
                                      request_timeout_ms=wait_ms + 1000, bootstrap_timeout_ms=wait_ms)

    def __enter__(self) -> DeadLetterTopic:
        return self

    def __exit__(self, *exc: object) -> None:
        self.consumer.close()

    def bounds(self) -> dict[int, tuple[int, int]]:
        """{partition: (first offset held, end offset)}; empty when the topic does not exist."""
        partitions = [TopicPartition(self.topic, p) for p in self.consumer.partitions_for_topic(self.topic) or ()]
        if not partitions:
            return {}
        starts = self.consumer.beginning_offsets(partitions)
        ends = self.consumer.end_offsets(partitions)
        return {tp.partition: (starts[tp], ends[tp]) for tp in sorted(partitions)}

    def scan(self, since: datetime | None = None) -> Iterator[DeadLetterRecord]:
        """Every letter up to the end seen at the start (from `since` on when given), partition by
        partition, in offset order."""
        bounds = self.bounds()
        starts = {p: first for p, (first, _) in bounds.items()}
        if since is not None and bounds:
            found = self.consumer.offsets_for_times(
                {TopicPartition(self.topic, p): int(since.timestamp() * 1000) for p in bounds})
            starts = {tp.partition: (at.offset if at else bounds[tp.partition][1]) for tp, at in found.items()}
        for partition, (_, end) in bounds.items():
            yield from self._read(partition, starts[partition], end)

    def fetch(self, positions: Iterable[Position]) -> dict[Position, DeadLetterRecord]:
        """The letters at these positions; raises MissingLetters naming every one the topic does not hold."""
        wanted = sorted(set(positions))
        bounds = self.bounds()
        missing = [p for p in wanted if p[0] not in bounds or not bounds[p[0]][0] <= p[1] < bounds[p[0]][1]]
        if missing:
            raise MissingLetters(_missing_message(self.topic, missing, bounds))
        found: dict[Position, DeadLetterRecord] = {}
        for partition in sorted({p for p, _ in wanted}):
            offsets = {o for p, o in wanted if p == partition}
            for letter in self._read(partition, min(offsets), max(offsets) + 1):
                if letter.offset in offsets:
                    found[letter.position] = letter
        gone = [p for p in wanted if p not in found]  # compacted away, or a transaction marker
        if gone:
            raise MissingLetters(_missing_message(self.topic, gone, bounds))
        return found

    def _read(self, partition: int, start: int, end: int) -> Iterator[DeadLetterRecord]:
        if start >= end:
            return
        tp = TopicPartition(self.topic, partition)
        self.consumer.assign([tp])
        self.consumer.seek(tp, start)
        deadline = time.monotonic() + self.timeout
        while self.consumer.position(tp) < end:
            batch = self.consumer.poll(timeout_ms=500).get(tp, [])
            if batch:
                deadline = time.monotonic() + self.timeout
            elif time.monotonic() > deadline:
                raise TimeoutError(f"{self.topic}[{partition}] was not read to offset {end} in time")
            for record in batch:
                if record.offset < end:
                    yield DeadLetterRecord.of(record)


def _missing_message(topic: str, missing: list[Position], bounds: dict[int, tuple[int, int]]) -> str:
    shown = ", ".join(label(p) for p in missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
    if not bounds:
        return f"no dead letter at {shown}: the topic {topic} does not exist (nothing was ever dead-lettered)"
    held = "; ".join(f"partition {p}: " + (f"offsets {a}-{b - 1}" if b > a else "empty")
                     for p, (a, b) in bounds.items())
    return f"no dead letter at {shown} on {topic} ({held})"
