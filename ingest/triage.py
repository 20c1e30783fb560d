"""Sorting a batch of Kafka messages into valid events and dead letters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from events.codec import ClearanceEvent, InvalidEvent, decode


@dataclass(frozen=True)
class DeadLetter:
    """A message that can never be valid, with where it came from and why."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str


class DeadLetterRunTooLong(RuntimeError):
    """More dead letters in a row than the configured limit: likely a bad deploy, not bad messages."""


@dataclass
class Triage:
    events: list[ClearanceEvent] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)


@dataclass
class DeadLetterRun:
    """Counts dead letters in a row across batches; a valid event ends the run."""

    limit: int
    length: int = 0

    def check(self, dead: bool) -> None:
        self.length = self.length + 1 if dead else 0
        if self.length > self.limit:
            raise DeadLetterRunTooLong(
                f"{self.length} invalid messages in a row (limit CLEARANCE_DLQ_RUN_LIMIT={self.limit}): "
                "stopping instead of draining the topic into the dead-letter topic; "
                "check the publishers, then raise the limit or restart")


def triage(records: list[Any], run: DeadLetterRun, max_bytes: int) -> Triage:
    """Decode each consumer record (anything with topic, partition, offset, key, value).

    Raises DeadLetterRunTooLong before anything is sent anywhere when the run passes its limit."""
    result = Triage()
    for record in records:
        try:
            result.events.append(decode(record.value, max_bytes=max_bytes))
            run.check(dead=False)
        except InvalidEvent as exc:
            result.dead.append(DeadLetter(record.topic, record.partition, record.offset,
                                          record.key, record.value, exc.reason))
            run.check(dead=True)
    return result
