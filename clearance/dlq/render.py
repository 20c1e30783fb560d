"""What `clearance dlq` prints: the table of `list`, the page of `show`, and the JSON of both. Every text
that comes from a message is printable (control characters as \\u escapes): a dead letter is whatever
someone sent, and must not be able to rewrite the operator's terminal."""
from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from clearance.dlq.letters import DeadLetterRecord
from events.schema import printable
from models.dead_letter_replays import DeadLetterReplay

History = dict[tuple[int, int], list[DeadLetterReplay]]
COLUMNS = (("OFFSET", 6), ("DEAD-LETTERED (UTC)", 20), ("REPLAYED", 11), ("CODE", 16), ("REASON", 40),
           ("PUBLISHER", 24), ("KEY", 18), ("VALUE", 0))  # the value goes last: a narrow terminal loses it first
VALUE_WIDTH = 40


def utc(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


def cut(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def replay_state(rows: Sequence[DeadLetterReplay]) -> str:
    """no · yes · yes (2x) · unconfirmed (claimed, never confirmed by the broker)."""
    confirmed = [row for row in rows if row.confirmed]
    if not confirmed:
        return "unconfirmed" if rows else "no"
    return "yes" if len(confirmed) == 1 else f"yes ({len(confirmed)}x)"


def table(letters: Sequence[DeadLetterRecord], history: History) -> list[str]:
    lines = ["  ".join(name.ljust(width) for name, width in COLUMNS).rstrip()]
    for letter in letters:
        cells = [letter.label, utc(letter.at), replay_state(history.get(letter.position, [])), letter.reason_code,
                 letter.reason,
                 letter.publisher, letter.key_text() or "(none)", letter.value_text() or "(empty)"]
        lines.append("  ".join(cut(cell, width or VALUE_WIDTH).ljust(width)
                               for cell, (_, width) in zip(cells, COLUMNS)).rstrip())
    return lines


def replay_json(row: DeadLetterReplay) -> dict[str, Any]:
    return {"attempt": row.attempt, "requested_at": row.requested_at.isoformat(), "requested_by": row.requested_by,
            "confirmed": row.confirmed, "published_at": row.published_at.isoformat() if row.published_at else None,
            "events_topic": row.events_topic, "events_partition": row.events_partition,
            "events_offset": row.events_offset}


def letter_json(letter: DeadLetterRecord, replays: Sequence[DeadLetterReplay]) -> dict[str, Any]:
    """A stable document of one letter: the value both as text (invalid UTF-8 as \\x escapes) and as
    base64 (the exact bytes), the headers as text."""
    return {
        "partition": letter.partition, "offset": letter.offset, "dead_lettered_at": letter.at.isoformat(),
        "reason": letter.reason, "reason_code": letter.reason_code, "source": letter.source,
        "principal": letter.principal, "claimed_publisher": letter.claimed_publisher, "replay_of": letter.replay_of,
        "cut_from": letter.cut_from,
        "key": None if letter.key is None else letter.key_text(),
        "value": letter.value_text(), "value_base64": base64.b64encode(letter.value or b"").decode(),
        "headers": [[printable(name), printable(value.decode("utf-8", "backslashreplace"))]
                    for name, value in letter.headers],
        "replayed": any(row.confirmed for row in replays), "replays": [replay_json(row) for row in replays],
    }


def as_json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)


def page(letter: DeadLetterRecord, replays: Sequence[DeadLetterReplay], dlq_topic: str) -> list[str]:
    """Everything about one letter, for `show`."""
    lines = [f"dead letter {dlq_topic}[{letter.partition}]@{letter.offset}",
             f"  dead-lettered  {utc(letter.at)}",
             f"  reason         {letter.reason} ({letter.reason_code})",
             f"  read from      {letter.source}",
             f"  principal      {letter.principal or '(none: not published through the portal)'}",
             f"  publisher      {letter.claimed_publisher or '(the value names none)'}",
             f"  key            {letter.key_text() if letter.key is not None else '(none)'}"]
    if letter.replay_of:
        lines.append(f"  came back from the replay of {letter.replay_of}")
    if letter.cut_from is not None:
        lines.append(f"  cut            the original was {letter.cut_from:,} bytes, too large for this topic with "
                     "the headers above; this keeps the start of its value, not its own headers, and is not replayed")
    lines.append("  headers")
    lines += [f"    {printable(name)}: {printable(value.decode('utf-8', 'backslashreplace'))}"
              for name, value in letter.headers] or ["    (none)"]
    lines.append("  replays")
    lines += [_replay_line(row) for row in replays] or ["    never replayed"]
    lines.append(f"  value ({len(letter.value or b'')} bytes{', JSON' if letter.document is not None else ''})")
    lines += ["    " + line for line in _value_lines(letter)]
    return lines


def _replay_line(row: DeadLetterReplay) -> str:
    where = (f"-> {row.events_topic}[{row.events_partition}]@{row.events_offset} at {utc(row.published_at)}"
             if row.confirmed else "unconfirmed (the broker never confirmed it: the next replay sends it)")
    return f"    #{row.attempt} asked {utc(row.requested_at)} by {row.requested_by} {where}"


def _value_lines(letter: DeadLetterRecord) -> list[str]:
    if not letter.value:
        return ["(empty)"]
    document = letter.document
    text = (letter.value.decode("utf-8", "backslashreplace") if document is None
            else json.dumps(document, ensure_ascii=False, indent=2))
    return [printable(line) for line in text.splitlines()] or [""]
