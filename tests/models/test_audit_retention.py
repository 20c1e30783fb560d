"""The audit log's retention (models.audit_retention) on both databases: entries before the cutoff go,
oldest first and at most a chunk per call, the others stay, and counting deletes nothing."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.audit_log import AUDIT_PRUNE, LOGIN, AuditEntry
from models.audit_retention import count_entries_before, delete_entries_before, retention_cutoff

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def entries_aged(sessions: sessionmaker[Session], days: Sequence[float], now: datetime = NOW) -> None:
    """One login entry per age, stamped that many days before `now`, its summary its age."""
    with sessions() as session:
        session.add_all(AuditEntry(at=now - timedelta(days=age), kind=LOGIN, outcome="ok", actor="po",
                                   summary=f"{age:g}") for age in days)
        session.commit()


def ages_kept(sessions: sessionmaker[Session]) -> list[float]:
    """The ages of the login entries left (a prune's own entry is not one of them)."""
    with sessions() as session:
        return sorted(float(s) for s in session.scalars(select(AuditEntry.summary).where(AuditEntry.kind == LOGIN)))


def prunes_recorded(sessions: sessionmaker[Session]) -> list[tuple[str, int]]:
    """Who pruned and how many they deleted, per prune entry, oldest first."""
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.kind == AUDIT_PRUNE).order_by(AuditEntry.id))
        return [(entry.actor, (entry.detail or {})["deleted"]) for entry in entries]


def test_entries_before_the_cutoff_go_oldest_first_a_chunk_at_a_time(sessions: sessionmaker[Session]) -> None:
    entries_aged(sessions, [1, 399.9, 400.1, 401, 500, 900, 3])
    cutoff = retention_cutoff(NOW, 400)
    with sessions() as session:
        assert count_entries_before(session, cutoff) == 4
        assert delete_entries_before(session, cutoff, limit=3) == 3
        session.commit()
    assert ages_kept(sessions) == [1, 3, 399.9, 400.1]  # the three oldest went, the youngest old one waits
    with sessions() as session:
        assert delete_entries_before(session, cutoff, limit=3) == 1  # fewer than the chunk: none left
        assert delete_entries_before(session, cutoff, limit=3) == 0
        session.commit()
    assert ages_kept(sessions) == [1, 3, 399.9]


def test_counting_deletes_nothing_and_a_rollback_keeps_them(sessions: sessionmaker[Session]) -> None:
    entries_aged(sessions, [10, 20, 30])
    cutoff = retention_cutoff(NOW, 15)
    with sessions() as session:
        assert count_entries_before(session, cutoff) == 2
        assert delete_entries_before(session, cutoff) == 2
        session.rollback()  # the caller owns the transaction
    assert ages_kept(sessions) == [10, 20, 30]


def test_a_retention_is_a_positive_number_of_days() -> None:
    assert retention_cutoff(NOW, 0.5) == NOW - timedelta(hours=12)
    with pytest.raises(ValueError, match="kept forever"):
        retention_cutoff(NOW, 0)
