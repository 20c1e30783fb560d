"""The publish audit: who published what through the portal, when, over which channel, and what became
of each event (accepted: on the events topic; rejected: with the reasons). One row per event of a
request, written in the request that published it.

Functions take a Session first, flush, and never commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from events.schema import printable
from models.base import Base, UTCDateTime
from models.user import now

ACCEPTED, REJECTED = "accepted", "rejected"
CHANNELS = ("json", "csv", "xlsx")


class PublishAudit(Base):
    __tablename__ = "publish_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    principal: Mapped[str] = mapped_column(String(128))  # the clearance-principal header's text
    binding: Mapped[str | None] = mapped_column(String(18))  # the caller's terminal or USCC
    credential: Mapped[str] = mapped_column(String(8))  # "session" (the page) or "token" (the API)
    channel: Mapped[str] = mapped_column(String(8))  # json, csv or xlsx
    request_id: Mapped[str] = mapped_column(String(16))
    row_index: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(16))
    publisher: Mapped[str | None] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str | None] = mapped_column(String(32))
    container_no: Mapped[str | None] = mapped_column(String(11))
    reasons: Mapped[list[str] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_publish_audit_binding_at", "binding", "at"),)


@dataclass(frozen=True)
class AuditedRequest:
    """Who published, how: the same for every row of one request."""

    user_id: int
    principal: str
    binding: str | None
    credential: str
    channel: str
    request_id: str


@dataclass(frozen=True)
class AuditedEvent:
    """What became of one event (or row) of the request; the event's fields as given, when readable."""

    row_index: int
    outcome: str
    fields: dict[str, Any]
    reasons: Sequence[str] = ()


_LIMITS = {"source": 16, "publisher": 32, "event_id": 64, "type": 32, "container_no": 11}


def record_publish(session: Session, request: AuditedRequest, events: Sequence[AuditedEvent]) -> list[PublishAudit]:
    """Add one audit row per event, all stamped with the same time. Values a rejected event gave are
    cut to the column's size and their control characters escaped: the audit must take any input."""
    at = now()
    rows = [PublishAudit(
        at=at, user_id=request.user_id, principal=request.principal[:128], binding=request.binding,
        credential=request.credential, channel=request.channel, request_id=request.request_id[:16],
        row_index=event.row_index, outcome=event.outcome, reasons=list(event.reasons) or None,
        **{name: _cut(event.fields.get(name), size) for name, size in _LIMITS.items()})
        for event in events]
    session.add_all(rows)
    session.flush()
    return rows


def _cut(value: Any, size: int) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return printable(text.encode("utf-8", "backslashreplace").decode())[:size]


def recent_publishes(session: Session, binding: str | None, everyone: bool, limit: int = 50) -> list[PublishAudit]:
    """The newest audit rows of a binding (a terminal's or an enterprise's users), or of everyone."""
    query = select(PublishAudit).order_by(PublishAudit.at.desc(), PublishAudit.id.desc()).limit(limit)
    if not everyone:
        query = query.where(PublishAudit.binding == binding)
    return list(session.scalars(query))
