"""The dead-letter topic as feed health sees it: read without a consumer group (nothing is committed,
no group is joined), from the start of the window to the end, each letter attributed to the publisher
its original bytes name. The original bytes are only ever handed on as escaped text.

Reads are cached a few seconds per portal process: a panel that many people keep open must not
become a topic scan per person."""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from events import topics
from events.kafka import header
from events.schema import printable

log = logging.getLogger(__name__)
ORIGINAL_SHOWN = 600  # characters of the original message shown
MAX_PARSED = 70_000  # larger originals are not parsed for their publisher
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class DeadLetter:
    source: str | None
    publisher: str
    reason: str
    at: datetime
    partition: int
    offset: int
    source_offset: str | None
    original: str  # escaped text, never markup


@dataclass(frozen=True)
class DeadLetterScan:
    letters: list[DeadLetter]
    unavailable: str | None = None  # why the topic could not be read
    truncated: bool = False  # the window held more than the scan reads


class DeadLetterReader:
    """Reads the window of the dead-letter topic; `scan()` answers from a cache for `ttl` seconds."""

    def __init__(self, bootstrap: str, topic: str, window: timedelta = timedelta(hours=24),
                 max_letters: int = 20_000, ttl: float = 5.0, timeout: float = 5.0) -> None:
        self._bootstrap, self._topic, self.window = bootstrap, topic, window
        self._max, self._ttl, self._timeout = max_letters, ttl, timeout
        self._lock = threading.Lock()
        self._cached: tuple[float, DeadLetterScan] | None = None

    def scan(self) -> DeadLetterScan:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self._ttl:
                return self._cached[1]
            try:
                found = self._read(datetime.now(timezone.utc) - self.window)
            except Exception as exc:  # noqa: BLE001 - no broker: feed health still shows what is stored
                log.warning("dead-letter topic %s not read: %r", self._topic, exc)
                return DeadLetterScan([], unavailable=f"the dead-letter topic could not be read ({type(exc).__name__})")
            self._cached = (time.monotonic(), found)
            return found

    def _read(self, since: datetime) -> DeadLetterScan:
        wait_ms = int(self._timeout * 1000)
        consumer = KafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None, enable_auto_commit=False,
                                 client_id="clearance-portal-feeds", request_timeout_ms=wait_ms + 1000,
                                 bootstrap_timeout_ms=wait_ms, consumer_timeout_ms=wait_ms)
        try:
            partitions = [TopicPartition(self._topic, p) for p in consumer.partitions_for_topic(self._topic) or ()]
            if not partitions:
                return DeadLetterScan([])
            consumer.assign(partitions)
            starts, ends, truncated = self._bounds(consumer, partitions, since)
            for tp in partitions:
                consumer.seek(tp, starts[tp])
            return DeadLetterScan(self._collect(consumer, ends), truncated=truncated)
        finally:
            consumer.close()

    def _bounds(self, consumer: KafkaConsumer, partitions: list[TopicPartition],
                since: datetime) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int], bool]:
        ends = consumer.end_offsets(partitions)
        found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
        starts = {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in partitions}
        share = max(1, self._max // len(partitions))
        capped = {tp: max(starts[tp], ends[tp] - share) for tp in partitions}
        return capped, ends, capped != starts

    def _collect(self, consumer: KafkaConsumer, ends: dict[TopicPartition, int]) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        deadline = time.monotonic() + self._timeout
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError("the dead-letter topic was not read to its end in time")
            for tp, records in consumer.poll(timeout_ms=200).items():
                letters += [letter(r) for r in records if r.offset < ends[tp]]
        return sorted(letters, key=lambda d: (d.at, d.partition, d.offset))


def letter(record: Any) -> DeadLetter:
    """One dead-letter record, attributed to the source and publisher its original document names."""
    source, publisher = claimed_publisher(record.value)
    return DeadLetter(source=source, publisher=publisher,
                      reason=header(record.headers, topics.DLQ_REASON) or "(no reason given)",
                      at=datetime.fromtimestamp(record.timestamp / 1000, timezone.utc),
                      partition=record.partition, offset=record.offset,
                      source_offset=header(record.headers, topics.DLQ_SOURCE_OFFSET),
                      original=inert_text(record.value))


def claimed_publisher(value: bytes | None) -> tuple[str | None, str]:
    """(source, publisher) as the original document gives them, when it is a JSON object naming them as
    text; else (None, "(unknown)"). What a dead letter claims is all there is to go by."""
    if not value or len(value) > MAX_PARSED:
        return None, UNKNOWN
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):
        return None, UNKNOWN
    if not isinstance(document, dict):
        return None, UNKNOWN
    source, publisher = document.get("source"), document.get("publisher")
    source = printable(source)[:16] if isinstance(source, str) else None
    if not isinstance(publisher, str) or not publisher:
        return source, UNKNOWN
    return source, printable(publisher)[:32]


def inert_text(value: bytes | None) -> str:
    """The original bytes as text that can hold no markup and no control character: invalid UTF-8 as
    \\x escapes, control characters as \\u escapes, `<`, `>` and `&` as \\u escapes too, cut short."""
    if not value:
        return ""
    text = value[: ORIGINAL_SHOWN * 4].decode("utf-8", "backslashreplace")
    text = printable(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text if len(text) <= ORIGINAL_SHOWN else text[:ORIGINAL_SHOWN] + "…"
