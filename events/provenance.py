"""Who may have published an event, judged from the event alone: part of the contract, applied by the
schema and its fast path alike (through `events.schema.scope_errors`), so the portal's API and the
ingest worker refuse the same events.

- a type comes only from the sources `vocabulary.PUBLISHED_BY` lists (customs-only types from CUSTOMS);
- an ENTERPRISE event is published by the filer itself: its `publisher` is its `enterprise_uscc` or
  `declarant_uscc`;
- a TERMINAL event's `terminal`, when given, is its `publisher`.
Whether the publisher may touch the containers it names is the portal's question (models/write_check.py),
and the visit derivation's (models/parties.py).
"""
from __future__ import annotations

from typing import Any

from events.vocabulary import PUBLISHED_BY, Source


def provenance_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each way the event's publisher cannot be the one it claims."""
    problems: list[tuple[str, str]] = []
    allowed = PUBLISHED_BY[data["type"]]
    if Source(data["source"]) not in allowed:
        names = " or ".join(sorted(s.value for s in allowed))
        problems.append(("source", f"{data['type']} is published by {names} only, not {data['source']}"))
    if data["source"] == Source.ENTERPRISE.value and \
            data["publisher"] not in (data.get("enterprise_uscc"), data.get("declarant_uscc")):
        problems.append(("publisher", "an ENTERPRISE event is published by the filer: its enterprise_uscc "
                                      "or declarant_uscc"))
    if data["source"] == Source.TERMINAL.value and data.get("terminal") not in (None, data["publisher"]):
        problems.append(("terminal", f"a TERMINAL event's terminal is its publisher {data['publisher']}"))
    return problems
