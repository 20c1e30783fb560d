"""The time-limit steps of past days kept per day (models.step_days) and compliance read from them
(models.compliance), on both databases. tests/portal/test_compliance_api.py checks the answers kept,
partly kept and live alike; here: what the clock decides without any event, late corrections, marks,
and the Python form of a rule's applicability (Applicability.matches, which the kept rows use) against
its SQL form (models.overdue.applies_to)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, literal, select, true
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import visitors

from events.codec import ClearanceEvent
from ingest.figure_roll import FigureRoller
from models.access import Principal
from models.alert_rules import seed_default_rules
from models.compliance import Period, compliance
from models.figure_days import FigureDirtyDay
from models.milestones import VisitMilestones
from models.operations import store_events
from models.overdue import MILESTONES, applies_to
from models.time_limits import Applicability
from models.user import Role
from tests.support.factories import CONTAINER, OTHER_CONTAINER, event

Sessions = sessionmaker[Session]
PORT = Principal(1, "port", Role.PORT_OFFICE.value, None, None)
ORDERED = "2026-11-20T10:00:00+08:00"
DAYS = Period(date(2026, 11, 20), date(2026, 11, 21))


def store(sessions: Sessions, *events: ClearanceEvent) -> None:
    with sessions() as session:
        seed_default_rules(session, datetime.fromisoformat(ORDERED))  # tests empty the tables
        store_events(session, list(events))
        session.commit()


def ordered(container_no: str, at: str = ORDERED) -> ClearanceEvent:
    return event("INSPECTION_ORDERED", f"io-{container_no}", at, source="CUSTOMS", publisher="4201",
                 container_no=container_no, customs_code="C")


def repositioned(container_no: str, at: str, event_id: str | None = None) -> ClearanceEvent:
    return event("REPOSITIONED", event_id or f"rp-{container_no}", at, container_no=container_no)


def reposition_rows(sessions: Sessions, now: datetime) -> list[tuple[str, int, int]]:
    with sessions() as session:
        return [(r["day"], r["steps"], r["within"]) for r in compliance(session, PORT, DAYS, now)
                if r["step"] == "REPOSITION"]


def keep(sessions: Sessions, now: datetime) -> None:
    FigureRoller(sessions, lambda: now, keep_days=5).step(float("inf"))


def test_an_open_step_kept_is_decided_by_the_clock_alone(sessions: Sessions) -> None:
    """Ordered 10:00, the repositioning limit is 60 min: an open step counts (late) from 11:00 on."""
    store(sessions, ordered(CONTAINER), ordered(OTHER_CONTAINER),
          repositioned(OTHER_CONTAINER, "2026-11-20T10:30:00+08:00"))
    before = datetime.fromisoformat("2026-11-21T00:20:00+08:00")
    keep(sessions, before)
    assert reposition_rows(sessions, before) == [("2026-11-20", 2, 1)]  # the open one is long past 11:00
    with sessions() as session:  # what the kept rows say, not the milestones, from now on
        session.execute(delete(VisitMilestones))
        session.commit()
    assert reposition_rows(sessions, before) == [("2026-11-20", 2, 1)]


def test_a_step_kept_open_and_not_yet_late_is_not_counted_until_it_is(sessions: Sessions) -> None:
    late_order = "2026-11-20T23:50:00+08:00"  # its limit passes at 00:50 the next day
    store(sessions, ordered(CONTAINER, late_order))
    rolled_at = datetime.fromisoformat("2026-11-21T00:20:00+08:00")
    keep(sessions, rolled_at)
    assert reposition_rows(sessions, rolled_at) == []
    assert reposition_rows(sessions, rolled_at + timedelta(minutes=31)) == [("2026-11-20", 1, 0)]


def test_a_late_completion_marks_the_day_the_step_started(sessions: Sessions) -> None:
    store(sessions, ordered(CONTAINER))
    now = datetime.fromisoformat("2026-11-22T09:00:00+08:00")
    keep(sessions, now)
    with sessions() as session:
        session.execute(delete(FigureDirtyDay))
        session.commit()
    store(sessions, repositioned(CONTAINER, "2026-11-20T10:40:00+08:00"))  # reported late, within the limit
    with sessions() as session:
        assert date(2026, 11, 20) in set(session.scalars(select(FigureDirtyDay.day)))
    assert reposition_rows(sessions, now) == [("2026-11-20", 1, 1)]  # read live meanwhile
    keep(sessions, now)
    assert reposition_rows(sessions, now) == [("2026-11-20", 1, 1)]


def test_matches_is_applies_to_in_python(sessions: Sessions) -> None:
    """Every combination of a rule's applicability and a visit's terminal and size: the same verdict."""
    terminals, sizes = [None, "YTCT", "YTGD"], [None, 20, 40]
    wheres = [Applicability(None, None), Applicability("YTCT", None), Applicability(None, 20),
              Applicability("YTCT", 40), Applicability(None, None, frozenset({"YTGD"}), frozenset({40})),
              Applicability(None, None, except_pairs=frozenset({("YTCT", 20)})),
              Applicability(None, 20, except_terminals=frozenset({"YTCT"})),
              Applicability("YTGD", None, except_sizes=frozenset({20}))]
    with sessions() as session:
        for where in wheres:
            for terminal, size in itertools.product(terminals, sizes):
                verdict = session.scalar(select(_all(applies_to(where), terminal, size)))
                assert bool(verdict) == where.matches(terminal, size), (where, terminal, size)


def _all(conditions: list[ColumnElement[bool]], terminal: str | None, size: int | None) -> ColumnElement[bool]:
    """The conditions with the visit's values in place of visit_milestones' columns."""
    values = {MILESTONES.c.terminal: literal(terminal, MILESTONES.c.terminal.type),
              MILESTONES.c.size: literal(size, MILESTONES.c.size.type)}
    replaced = [visitors.replacement_traverse(c, {}, lambda e: values.get(e)) for c in conditions]
    return and_(true(), *replaced).self_group()
