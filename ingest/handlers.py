"""What one batch does to the database: a plain function of (session, events), testable without Kafka."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from models.operations import StoreResult, store_events
from models.reach import ReachCache


def store_batch(session: Session, events: Sequence[ClearanceEvent], cache: ReachCache | None = None) -> StoreResult:
    """Store the batch's valid events and rebuild the containers they reach; the caller commits."""
    return store_events(session, events, cache)
