"""Sorting a batch of Kafka messages into valid events and dead letters."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from events.codec import ClearanceEvent, InvalidEvent, decode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    """A message that can never be valid, with where it came from and why."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str
    headers: tuple[tuple[str, bytes], ...] = ()  # the message's own (who published it, …), kept

    @classmethod
    def of(cls, record: Any, reason: str) -> DeadLetter:
        """The dead letter of a consumer record: its position, original key, bytes and headers, and
        `reason`."""
        headers = tuple(getattr(record, "headers", None) or ())
        return cls(record.topic, record.partition, record.offset, record.key, record.value, reason, headers)


class DeadLetterRunTooLong(RuntimeError):
    """More dead letters in a row than the configured limit: likely a bad deploy, not bad messages."""


@dataclass
class Triage:
    events: list[ClearanceEvent] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)  # the record each event came from, in step with events


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
            event = decode(record.value, max_bytes=max_bytes)
        except InvalidEvent as exc:
            result.dead.append(DeadLetter.of(record, exc.reason))
            run.check(dead=True)
            continue
        except Exception as exc:  # noqa: BLE001 - a bug this message triggers must not crash-loop the
            # worker on it: it is dead-lettered (a run of them still stops the worker, see DeadLetterRun)
            log.exception("decoding %s[%s]@%s raised", record.topic, record.partition, record.offset)
            reason = InvalidEvent(f"could not be checked: {type(exc).__name__}: {str(exc)[:200]}").reason
            result.dead.append(DeadLetter.of(record, reason))
            run.check(dead=True)
            continue
        result.events.append(event)
        result.records.append(record)
        run.check(dead=False)
    return result
