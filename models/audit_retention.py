"""How long the audit log keeps its entries (CLEARANCE_AUDIT_RETENTION_DAYS): those stamped before a
cutoff are deleted, oldest first, a bounded chunk per call, so that no transaction holds many rows and a
first prune of years of entries does not stall the writers of new ones (logins, publishes, rule edits).

Functions take a Session first, flush, and never commit: the caller commits each chunk
(ingest.audit_prune).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from models.audit_log import AuditEntry

PRUNE_CHUNK = 1000  # entries deleted per statement (and per transaction, as the callers commit)


def retention_cutoff(now: datetime, days: float) -> datetime:
    """The oldest moment an entry may be stamped and be kept, `days` before `now`."""
    if days <= 0:
        raise ValueError("a retention is a positive number of days (0 means entries are kept forever)")
    return now - timedelta(days=days)


def count_entries_before(session: Session, cutoff: datetime) -> int:
    """How many entries are stamped before `cutoff` (what a prune would delete)."""
    return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff)) or 0


def delete_entries_before(session: Session, cutoff: datetime, limit: int = PRUNE_CHUNK) -> int:
    """Delete up to `limit` of the oldest entries stamped before `cutoff`; returns how many went. Fewer
    than `limit` means none is left before it. Raises only database errors."""
    oldest = (select(AuditEntry.id).where(AuditEntry.at < cutoff)
              .order_by(AuditEntry.at, AuditEntry.id).limit(limit).scalar_subquery())
    result = session.execute(delete(AuditEntry).where(AuditEntry.id.in_(oldest))
                             .execution_options(synchronize_session=False))
    session.flush()
    return int(cast(CursorResult[tuple[()]], result).rowcount)
