"""A rebalance while a fan-out is in flight, on PostgreSQL: the stale owner is fenced (README, "Several
workers, no lock shared by all"; models.rebuild_locks).

Worker A lost the partition of declaration D in a rebalance but is still storing its last batch: the
customs release of D, which reaches every container of D. Worker B, D's new owner, stores what came
after (the containers' loadings, D's closing, or A's batch again, re-read from the last committed
offset). One of them is stopped after it has locked and read what its rebuilds depend on and before it
writes them; the other starts then, and must come to wait for it (pg_blocking_pids says so). Whichever
order they reach the locks in, the stored state must be that of one store of everything in order: a
stale owner that wrote what it read before the new owner committed would put back the containers'
older state, the new owner's events lost (with the locks turned off this test fails so)."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum import iso6346

from events.codec import ClearanceEvent
from models import operations
from models.db import session_factory
from models.operations import store_events
from tests.models.test_order_property import memory_sessions, snapshot, store_in_batches
from tests.support.factories import DECLARATION, declaration, event

Sessions = sessionmaker[Session]
TIMEOUT = 10.0  # seconds; a worker that needs longer is stuck


def container_no(serial: int) -> str:
    body = f"TGHU{770000 + serial:06d}"
    return body + iso6346.calc_check_digit(body)


CONTAINERS = [container_no(i) for i in range(12)]
GATE_INS = [event("GATE_IN", f"g{i}", "2026-11-20T08:00:00+08:00", container_no=c, declaration_no=DECLARATION)
            for i, c in enumerate(CONTAINERS)]  # committed before: D's containers are linked
RELEASE = declaration("CUSTOMS_RELEASED", "r1", "2026-11-20T09:00:00+08:00")  # fans out to all of them
LOADINGS = [event("LOADED", f"l{i}", "2026-11-21T07:00:00+08:00", container_no=c)
            for i, c in enumerate(CONTAINERS)]
CLOSED = declaration("DECLARATION_CLOSED", "c1", "2026-11-22T09:00:00+08:00")
STALE_BATCH = [RELEASE]
# What the new owner stores while the stale one is still at it, and what the second of the two to get
# there waits for: the rows of D's containers (their links exist, so no advisory lock), D's advisory
# lock, or the stale batch's own uncommitted event rows (re-read from the last committed offset, its
# events are A's: their rows fence it before any rebuild lock does, so that case holds even without).
NEW_OWNER_BATCHES = {
    "the containers' next events": (LOADINGS, "containers"),
    "the declaration's next event": ([CLOSED], "advisory"),
    "the stale batch again, then more": ([RELEASE, *LOADINGS], "events"),
}


class Worker(threading.Thread):
    """One ingest worker storing one batch in a transaction of its own, as `clearance ingest` does."""

    def __init__(self, sessions: Sessions, batch: list[ClearanceEvent]) -> None:
        super().__init__(daemon=True)
        self.sessions, self.batch = sessions, batch
        self.pid = 0  # its PostgreSQL backend, for pg_blocking_pids
        self.connected = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with self.sessions() as session:
                self.pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                self.connected.set()
                store_events(session, self.batch)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failure = exc
            self.connected.set()


class Hold:
    """Stops one worker in models.operations._write_containers: it holds its locks and has read every
    container it rebuilds, and has written nothing of them yet; until `release` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.worker: threading.Thread | None = None
        self.reached, self.release = threading.Event(), threading.Event()
        write = operations._write_containers

        def held(*args: Any, **kwargs: Any) -> None:
            if threading.current_thread() is self.worker:
                self.reached.set()
                assert self.release.wait(TIMEOUT), "the held worker was never released"
            write(*args, **kwargs)

        monkeypatch.setattr(operations, "_write_containers", held)


# what `:pid` waits for while `:holder` holds it: "advisory" (a declaration or vessel call), or the
# table of the row (the tuple lock it holds on it, or the one its INSERT hit a conflicting key in)
WAITING = text(
    "SELECT CASE WHEN l.locktype = 'advisory' THEN 'advisory' ELSE coalesce("
    "CAST(CAST(t.relation AS regclass) AS text), substring(a.query from 'INSERT INTO (\\w+)')) END "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "LEFT JOIN pg_locks t ON t.pid = l.pid AND t.locktype = 'tuple' AND t.granted "
    "WHERE l.pid = :pid AND NOT l.granted AND :holder = ANY(pg_blocking_pids(l.pid))")


def waits_for(engine: Engine, waiter: Worker, holder: Worker) -> str | None:
    """What `waiter` comes to wait for that `holder` holds (WAITING), or None when it ends without
    waiting for it (or TIMEOUT passes)."""
    deadline = time.monotonic() + TIMEOUT
    # autocommit: pg_stat_activity is read once a transaction
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while waiter.is_alive() and time.monotonic() < deadline:
            found = connection.execute(WAITING, {"pid": waiter.pid, "holder": holder.pid}).scalar()
            if found is not None:
                return str(found)
            time.sleep(0.01)
    return None


def race(engine: Engine, hold: Hold, first: Worker, second: Worker) -> str | None:
    """`first` stores its batch and is held once it has read its containers; `second` starts then.
    Returns what `second` came to wait for that `first` held while held (None: it did not wait);
    both have committed."""
    hold.worker = first
    first.start()
    assert hold.reached.wait(TIMEOUT), f"the first worker never got to write: {first.failure!r}"
    second.start()
    assert second.connected.wait(TIMEOUT)
    waited = waits_for(engine, second, first)
    still_held = first.is_alive() and not hold.release.is_set()
    hold.release.set()
    for worker in (first, second):
        worker.join(TIMEOUT)
        assert not worker.is_alive() and worker.failure is None, worker.failure
    return waited if still_held else None


def in_order(*batches: list[ClearanceEvent]) -> str:
    sessions = memory_sessions()
    store_in_batches(sessions, [e for batch in batches for e in batch], [])
    return snapshot(sessions)


def timelines(state: str) -> dict[str, list[str]]:
    """The event ids on each container's timelines: what a lost update loses, readably."""
    return {container: sorted(e["event_id"] for visit in visits for e in visit["timeline"])
            for container, visits in json.loads(state).items()}


@pytest.mark.parametrize("new_owner_batch", sorted(NEW_OWNER_BATCHES))
@pytest.mark.parametrize("first", ["stale owner", "new owner"])
def test_a_stale_owner_never_puts_back_an_older_state(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                      first: str, new_owner_batch: str) -> None:
    sessions = session_factory(engine)
    store_in_batches(sessions, GATE_INS, [])
    later, lock = NEW_OWNER_BATCHES[new_owner_batch]
    stale, new = Worker(sessions, STALE_BATCH), Worker(sessions, later)
    waited = race(engine, Hold(monkeypatch), *((stale, new) if first == "stale owner" else (new, stale)))
    expected = in_order(GATE_INS, STALE_BATCH, later)
    assert timelines(snapshot(sessions)) == timelines(expected)
    assert snapshot(sessions) == expected
    assert waited == lock, "the second worker did not wait for the held one as meant: no race happened"
