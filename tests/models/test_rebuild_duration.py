"""A store says how long it spent rebuilding the containers it reached (StoreResult.rebuild_seconds, the
workers' clearance_ingest_rebuild_duration_seconds), on both databases: the rebuild's own time, not the
store's, none when nothing was rebuilt, summed over the transactions of an isolated batch."""
from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ingest.handlers import merged_results
from models import operations
from models.operations import StoreResult, store_events
from tests.support.factories import OTHER_CONTAINER, event

SLOW = 0.3  # seconds a rebuild is made to take


def test_the_rebuild_is_timed_and_nothing_else(sessions: sessionmaker[Session],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rebuild = operations.rebuild_containers

    def slow_rebuild(*args: Any, **kwargs: Any) -> dict[str, int]:
        time.sleep(SLOW)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(operations, "rebuild_containers", slow_rebuild)
    events = [event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"),
              event("GATE_IN", "g2", "2026-11-20T08:00:00+08:00", container_no=OTHER_CONTAINER)]
    with sessions() as session:
        began = time.perf_counter()
        result = store_events(session, events)
        whole = time.perf_counter() - began
        session.commit()
    assert len(result.changed_containers) == 2
    assert SLOW <= result.rebuild_seconds < whole  # the store's reads and writes before it are not counted


def test_a_store_that_rebuilds_nothing_took_no_rebuild_time(sessions: sessionmaker[Session]) -> None:
    gate_in = event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00")
    with sessions() as session:
        first = store_events(session, [gate_in])
        again = store_events(session, [gate_in])  # a duplicate: nothing fresh, nothing rebuilt
        session.commit()
    assert first.rebuild_seconds > 0
    assert (again.stored, again.rebuild_seconds) == (0, 0.0)


def test_an_isolated_batch_sums_its_transactions_rebuilds() -> None:
    parts = [StoreResult(1, 0, {"A": 1}, rebuild_seconds=0.25), StoreResult(2, 0, {"B": 1}, rebuild_seconds=0.5)]
    assert merged_results(parts).rebuild_seconds == 0.75
