"""One dead letter as an operator sees it (where it sits, why it is there, who sent it), the filters
`list` and `replay --matching` share, and the parsing of their arguments."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from events import topics
from events.schema import printable
from ingest.metrics import reason_code

MAX_PARSED = 70_000  # larger values are not parsed for the publisher they name
RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

Position = tuple[int, int]  # (partition, offset) on the dead-letter topic


@dataclass(frozen=True)
class DeadLetterRecord:
    """A message of the dead-letter topic: the original key, bytes and headers, and the topic's own."""

    partition: int
    offset: int
    at: datetime  # when it was dead-lettered (the record's timestamp)
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, record: Any) -> DeadLetterRecord:
        return cls(record.partition, record.offset, datetime.fromtimestamp(record.timestamp / 1000, timezone.utc),
                   record.key, record.value, tuple(record.headers or ()))

    @property
    def position(self) -> Position:
        return (self.partition, self.offset)

    @property
    def label(self) -> str:
        """The offset alone on partition 0 (the dead-letter topic has one), else PARTITION:OFFSET."""
        return str(self.offset) if self.partition == 0 else f"{self.partition}:{self.offset}"

    @property
    def reason(self) -> str:
        return _header(self.headers, topics.DLQ_REASON) or "(no reason given)"

    @property
    def reason_code(self) -> str:
        """The reason's code, as the ingest metrics count dead letters (too_large, not_json, …)."""
        return reason_code(self.reason)

    @property
    def cut_from(self) -> int | None:
        """The original's size in bytes when the letter went cut (too large for the topic with its
        headers: ingest.dead_letters); None for a whole one."""
        size = _header(self.headers, topics.DLQ_CUT)
        return int(size) if size is not None and size.isdigit() else None

    @property
    def principal(self) -> str | None:
        """Who published it through the portal (the `clearance-principal` header), if it came that way."""
        return _header(self.headers, topics.PRINCIPAL_HEADER)

    @property
    def replay_of(self) -> str | None:
        """The dead letter this message was a replay of, when it came back from a replay."""
        return _header(self.headers, topics.REPLAY_OF_HEADER)

    @property
    def source(self) -> str:
        """Where ingest read it: topic[partition]@offset."""
        def part(name: str) -> str:
            return _header(self.headers, name) or "?"
        return f"{part(topics.DLQ_SOURCE_TOPIC)}[{part(topics.DLQ_SOURCE_PARTITION)}]@{part(topics.DLQ_SOURCE_OFFSET)}"

    @property
    def claimed_publisher(self) -> str | None:
        """"SOURCE/publisher" as the original document names them, when it is a JSON object that does."""
        document = self.document
        if not isinstance(document, dict):
            return None
        names = [document.get("source"), document.get("publisher")]
        shown = [printable(n)[:32] for n in names if isinstance(n, str) and n]
        return "/".join(shown) or None

    @property
    def publisher(self) -> str:
        """The principal when the portal published it, else what the document claims."""
        return self.principal or self.claimed_publisher or "(unknown)"

    @property
    def document(self) -> Any:
        """The value parsed as JSON, or None when it is not JSON (or too large to bother)."""
        if not self.value or len(self.value) > MAX_PARSED:
            return None
        try:
            return json.loads(self.value)
        except (ValueError, RecursionError):
            return None

    def key_text(self) -> str:
        return "" if self.key is None else printable(self.key.decode("utf-8", "backslashreplace"))

    def value_text(self) -> str:
        return "" if not self.value else printable(self.value.decode("utf-8", "backslashreplace"))


def _header(headers: tuple[tuple[str, bytes], ...], name: str) -> str | None:
    """The first header of that name as printable text (any bytes: headers come from anyone)."""
    for key, value in headers:
        if key == name:
            return printable((value or b"").decode("utf-8", "backslashreplace"))
    return None


@dataclass(frozen=True)
class LetterFilter:
    """What `list` and `replay --matching` pick: every given condition must hold (case-insensitive)."""

    reason: str | None = None  # the reason's code (too_large), or a part of it: container_no, not UTF-8
    publisher: str | None = None  # a part of the principal or of the SOURCE/publisher the value names
    since: datetime | None = None  # dead-lettered at or after

    def matches(self, letter: DeadLetterRecord) -> bool:
        if self.since is not None and letter.at < self.since:
            return False
        if self.reason and not _reason_matches(self.reason.casefold(), letter):
            return False
        if self.publisher:
            names = f"{letter.principal or ''}\n{letter.claimed_publisher or ''}".casefold()
            return self.publisher.casefold() in names
        return True

    @property
    def empty(self) -> bool:
        return self.reason is None and self.publisher is None and self.since is None


def _reason_matches(wanted: str, letter: DeadLetterRecord) -> bool:
    return wanted == letter.reason_code or wanted in letter.reason.casefold()


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """An ISO time (UTC when it gives no offset) or a span back from now: 90s, 30m, 2h, 3d, 1w.
    Raises ValueError."""
    found = RELATIVE.match(text.strip())
    if found:
        now = now or datetime.now(timezone.utc)
        return now - timedelta(**{UNITS[found.group(2)]: int(found.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is neither an ISO time (2026-12-01T08:00+08:00) nor a span (2h, 3d)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_position(text: str) -> Position:
    """OFFSET (partition 0) or PARTITION:OFFSET. Raises ValueError."""
    partition, _, offset = text.strip().rpartition(":")
    if not offset.isdigit() or (partition and not partition.isdigit()):
        raise ValueError(f"{text!r} is not an offset (17) or PARTITION:OFFSET (0:17)")
    return (int(partition or 0), int(offset))


def label(position: Position) -> str:
    return str(position[1]) if position[0] == 0 else f"{position[0]}:{position[1]}"
