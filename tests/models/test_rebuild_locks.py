"""Two workers storing at the same time on PostgreSQL (models.rebuild_locks): a store that shares a
container, or a declaration or vessel call it links, with another's open transaction waits for it and then
sees what it stored, in either order; a store that shares nothing does not wait at all."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from models.db import session_factory
from models.operations import StoreResult, container_visits, store_events
from tests.support.factories import CONTAINER, DECLARATION, OTHER_CONTAINER, declaration, event, vessel

Sessions = sessionmaker[Session]
THIRD_CONTAINER = "TGHU8772543"
BLOCKED = 0.8  # seconds the second store must still be waiting after, when it has to wait

GATE_IN = event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00", declaration_no=DECLARATION)
RELEASE = declaration("CUSTOMS_RELEASED", "r1", "2026-11-20T09:00:00+08:00")
DEPARTED = vessel("VESSEL_DEPARTED", "v1", "2026-11-21T09:00:00+08:00")
LOADED = event("LOADED", "l1", "2026-11-21T07:00:00+08:00")
OTHER_GATE_IN = event("GATE_IN", "g2", "2026-11-20T08:10:00+08:00", container_no=OTHER_CONTAINER,
                      declaration_no="420120260000000999")


def stored(sessions: Sessions, *events: ClearanceEvent) -> None:
    with sessions() as session:
        store_events(session, list(events))
        session.commit()


def race(engine: Engine, first: list[ClearanceEvent], second: list[ClearanceEvent]) -> tuple[bool, StoreResult]:
    """Store `first` in an open transaction, then `second` from another session; commit the first after
    BLOCKED seconds. Returns whether the second was still waiting then, and its result."""
    sessions = session_factory(engine)
    results: list[StoreResult] = []
    holder = sessions()
    store_events(holder, first)

    def other() -> None:
        with sessions() as session:
            results.append(store_events(session, second))
            session.commit()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(BLOCKED)
    waiting = thread.is_alive()
    holder.commit()
    holder.close()
    thread.join(10)
    assert not thread.is_alive() and len(results) == 1
    return waiting, results[0]


def timeline(engine: Engine, container_no: str = CONTAINER) -> list[str]:
    with session_factory(engine)() as session:
        return sorted(e["event_id"] for v in container_visits(session, container_no) for e in v["timeline"])


@pytest.mark.parametrize("order", ["declaration first", "link first"])
def test_a_declaration_event_and_the_first_link_to_its_declaration(engine: Engine, order: str) -> None:
    pair = ([RELEASE], [GATE_IN]) if order == "declaration first" else ([GATE_IN], [RELEASE])
    waiting, result = race(engine, *pair)
    assert waiting and result.waited_seconds >= BLOCKED * 0.8
    assert timeline(engine) == ["g1", "r1"]


@pytest.mark.parametrize("order", ["vessel first", "link first"])
def test_a_vessel_event_and_the_first_link_to_its_call(engine: Engine, order: str) -> None:
    pair = ([DEPARTED], [LOADED]) if order == "vessel first" else ([LOADED], [DEPARTED])
    waiting, _ = race(engine, *pair)
    assert waiting
    assert timeline(engine) == ["l1", "v1"]


@pytest.mark.parametrize("order", ["declaration first", "container first"])
def test_a_declaration_event_and_an_event_of_a_container_it_has_already(engine: Engine, order: str) -> None:
    stored(session_factory(engine), GATE_IN)  # the link exists: the container event locks no declaration
    arrival = event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00", declaration_no=DECLARATION)
    pair = ([RELEASE], [arrival]) if order == "declaration first" else ([arrival], [RELEASE])
    waiting, _ = race(engine, *pair)
    assert waiting  # on the container's row
    assert timeline(engine) == ["a1", "g1", "r1"]


def test_two_events_of_one_container(engine: Engine) -> None:
    arrival = event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00")
    waiting, result = race(engine, [GATE_IN], [arrival])
    assert waiting and result.changed_containers == {CONTAINER: 2}
    assert timeline(engine) == ["a1", "g1"]


def test_a_retraction_and_the_event_it_withdraws(engine: Engine) -> None:
    notice = event("GATE_IN", "g1-r", "2026-11-20T08:00:00+08:00", declaration_no=DECLARATION, retracts="g1")
    waiting, _ = race(engine, [notice], [GATE_IN])
    assert waiting
    assert timeline(engine) == []


def test_stores_that_share_nothing_do_not_wait(engine: Engine) -> None:
    waiting, result = race(engine, [GATE_IN], [OTHER_GATE_IN])
    assert not waiting and result.waited_seconds < 0.2
    assert timeline(engine) == ["g1"] and timeline(engine, OTHER_CONTAINER) == ["g2"]


def test_events_of_two_containers_on_one_call_do_not_wait_once_linked(engine: Engine) -> None:
    sessions = session_factory(engine)
    stored(sessions, GATE_IN, event("GATE_IN", "g2", "2026-11-20T08:10:00+08:00", container_no=OTHER_CONTAINER))
    # the first store to mark a day changed (models.figure_days) makes the others wait: that day's mark
    # is written once, until the day is kept
    stored(sessions, event("LOADED", "l0", "2026-11-21T06:00:00+08:00", container_no=THIRD_CONTAINER))
    waiting, _ = race(engine, [LOADED], [event("LOADED", "l2", "2026-11-21T07:10:00+08:00",
                                               container_no=OTHER_CONTAINER)])
    assert not waiting  # the busy vessel call is not a lock every container's events queue on
    assert timeline(engine) == ["g1", "l1"] and timeline(engine, OTHER_CONTAINER) == ["g2", "l2"]
