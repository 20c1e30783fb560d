"""A declaration's receipts and containers, read from the stored events and their links."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from models.event import DeclarationContainer, StoredEvent
from models.links import retracted_among, to_event
from models.parties import split_foreign
from models.visits import effective, timeline_order


def declaration_events(session: Session, declaration_no: str) -> list[ClearanceEvent]:
    """The effective stored events naming this declaration, in timeline order (occurred_at, then stage
    rank, source, publisher, event id). Retracted events and retraction notices are left out; a corrected
    event appears once, in its newest version (the only one stored); so are the events of claimants that
    are not the declaration's parties (models/parties.py)."""
    rows = session.scalars(select(StoredEvent).where(StoredEvent.declaration_no == declaration_no))
    events = [to_event(row) for row in rows]
    retracted = retracted_among(session, {e.key for e in events})
    _, counted, _ = split_foreign(sorted(effective(events, retracted), key=timeline_order))
    return counted


def declaration_container_nos(session: Session, declaration_no: str) -> list[str]:
    """The containers the declaration covers (its `containers` lists and events naming both), sorted."""
    return list(session.scalars(select(DeclarationContainer.container_no)
                                .where(DeclarationContainer.declaration_no == declaration_no)
                                .order_by(DeclarationContainer.container_no)))
