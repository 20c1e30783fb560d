"""A store says how long it waited for another worker's rebuild (StoreResult.waited_seconds: the
serialised share that bench/ingest_scaleout.py reports), on PostgreSQL, where rebuilds lock the rows of
the containers they rebuild (models.rebuild_locks)."""
from __future__ import annotations

import threading

from sqlalchemy import text

from models.db import make_engine, session_factory
from models.operations import store_events
from tests.conftest import truncate
from tests.support.factories import CONTAINER, OTHER_CONTAINER, event


def test_a_store_reports_the_time_it_waited_for_another_rebuild(postgres_url: str) -> None:
    truncate(postgres_url)
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    with sessions() as session:
        store_events(session, [event("GATE_IN", "gi-0", "2026-11-20T07:00:00+08:00")])
        session.commit()
    other = engine.connect()
    rebuilding = other.begin()  # another worker's rebuild of the container, as it holds its row
    other.execute(text("SELECT 1 FROM containers WHERE container_no = :c FOR UPDATE"), {"c": CONTAINER})
    release = threading.Timer(0.6, rebuilding.commit)
    release.start()
    try:
        with sessions() as session:
            waited = store_events(session, [event("GATE_IN", "gi-1", "2026-11-20T08:00:00+08:00")]).waited_seconds
            session.commit()
        with sessions() as session:
            alone = store_events(session, [event("GATE_IN", "gi-2", "2026-11-20T09:00:00+08:00",
                                                 container_no=OTHER_CONTAINER)]).waited_seconds
            session.commit()
    finally:
        release.join()
        other.close()
        engine.dispose()
    assert 0.5 <= waited < 5 and alone < 0.2
