"""Checking submitted events: the contract (events.codec.from_document, as ingest applies it), the
caller's publishing rights (models/access.py) and what the event would change for other parties
(models/write_check.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from events.codec import ClearanceEvent, InvalidEvent, encode, from_document
from models.access import Principal, party_of, publish_refusals
from models.write_check import write_refusals
from portal.db import db_session
from portal.events.incoming import Submitted


@dataclass
class Verdict:
    """Each submitted event either valid (index, event) or rejected {"index", "reasons"}."""

    valid: list[tuple[int, ClearanceEvent]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def checked(principal: Principal, submitted: list[Submitted], max_bytes: int) -> Verdict:
    verdict = Verdict()
    for item in submitted:
        reasons, event = _reasons(principal, item, max_bytes)
        if reasons or event is None:
            verdict.rejected.append({"index": item.index, "reasons": reasons})
        else:
            verdict.valid.append((item.index, event))
    return verdict


def _reasons(principal: Principal, item: Submitted, max_bytes: int) -> tuple[list[str], ClearanceEvent | None]:
    read = [item.problem] if item.problem else []
    try:
        event = from_document(item.document)
    except InvalidEvent as exc:
        return read + [exc.reason], None
    reasons = read + publish_refusals(principal, event)
    party = party_of(principal)
    if not reasons and party is not None:
        reasons = write_refusals(db_session(), party, event)
    size = len(encode(event))
    if size > max_bytes:
        reasons.append(f"the event is {size} bytes as a message, more than the limit of {max_bytes}")
    return reasons, event
