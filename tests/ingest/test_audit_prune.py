"""Pruning the audit log from the watcher's process and for `clearance audit prune` (ingest.audit_prune),
on both databases: each chunk its own transaction, a bounded number per step, due again at once while
old entries are left and an interval later when none is, never with a retention of 0; each prune that
deletes leaves one entry of its own, committed with every chunk it counts."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ingest import audit_prune
from ingest.audit_prune import AuditPruner, prune_audit_log
from models.audit_retention import retention_cutoff
from tests.models.test_audit_retention import NOW, ages_kept, entries_aged, prunes_recorded


def test_every_chunk_is_committed_until_none_is_left(sessions: sessionmaker[Session],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    entries_aged(sessions, [1, 2, 31, 32, 33, 34, 35, 36, 37])
    commits: list[int] = []
    delete = audit_prune.delete_entries_before

    def counted(session: Session, cutoff: datetime, limit: int) -> int:
        gone = delete(session, cutoff, limit)
        commits.append(gone)
        return gone

    monkeypatch.setattr(audit_prune, "delete_entries_before", counted)
    assert prune_audit_log(sessions, retention_cutoff(NOW, 30), chunk=3, by="ops", retention_days=30) == 7
    assert commits == [3, 3, 1]
    assert ages_kept(sessions) == [1, 2]
    assert prunes_recorded(sessions) == [("ops", 7)]  # one entry for the prune, brought up to date by each chunk
    assert prune_audit_log(sessions, retention_cutoff(NOW, 30), chunk=3, max_chunks=1, by="ops",
                           retention_days=30) == 0
    assert prunes_recorded(sessions) == [("ops", 7)]  # deleting nothing records nothing


def test_a_prune_stopped_midway_has_counted_what_it_committed(sessions: sessionmaker[Session],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    entries_aged(sessions, [1, 31, 32, 33, 34, 35])
    delete = audit_prune.delete_entries_before
    calls: list[int] = []

    def failing_second(session: Session, cutoff: datetime, limit: int) -> int:
        calls.append(limit)
        if len(calls) == 2:
            raise OperationalError("DELETE", {}, Exception("connection lost"))
        return delete(session, cutoff, limit)

    monkeypatch.setattr(audit_prune, "delete_entries_before", failing_second)
    with pytest.raises(OperationalError):
        prune_audit_log(sessions, retention_cutoff(NOW, 30), chunk=2, by="ops", retention_days=30)
    assert ages_kept(sessions) == [1, 31, 32, 33]  # the two oldest went
    assert prunes_recorded(sessions) == [("ops", 2)]  # the first chunk, and its entry, committed together


def test_a_watchers_prune_is_bounded_and_carries_on_at_the_next_step(sessions: sessionmaker[Session]) -> None:
    entries_aged(sessions, [1, 500, 501, 502, 503, 504])
    pruner = AuditPruner(sessions, 400, lambda: NOW, every_seconds=3600, chunk=2, max_chunks=2)
    assert pruner.step() == 4  # two chunks of two: the budget spent, more may be left
    assert ages_kept(sessions) == [1, 500]  # the oldest went first
    assert prunes_recorded(sessions) == [(audit_prune.WATCHER, 4)]
    assert pruner.step() == 1  # so it was due again at once
    assert prunes_recorded(sessions) == [(audit_prune.WATCHER, 4), (audit_prune.WATCHER, 1)]
    assert pruner.step() == 0  # and now only in an hour, whatever is stamped meanwhile
    entries_aged(sessions, [600])
    assert pruner.step() == 0
    assert ages_kept(sessions) == [1, 600]
    pruner.next_at = 0.0  # the hour is over
    assert pruner.step() == 1
    assert ages_kept(sessions) == [1]


def test_a_retention_of_zero_keeps_every_entry(sessions: sessionmaker[Session]) -> None:
    entries_aged(sessions, [1, 5000])
    assert AuditPruner(sessions, 0, lambda: NOW).step() == 0
    assert ages_kept(sessions) == [1, 5000]
    assert prunes_recorded(sessions) == []
