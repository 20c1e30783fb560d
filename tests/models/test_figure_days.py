"""The figures of past days kept per day (models.figure_days), the roller that keeps them
(ingest.figure_roll), and the marks every rebuild leaves on the days it changes, on both databases.
The answers themselves are checked kept and live alike by tests/portal/test_stats_*.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from ingest.figure_roll import GRACE, FigureRoller, due_days
from models.access import Principal
from models.figure_days import FigureDay, FigureDayValues, FigureDirtyDay, durations, roll_day, touched_days
from models.measures import figure
from models.milestones import VisitMilestones
from models.operations import store_events
from models.user import Role
from portal.stats.queries import StatsFilter, clearance_time
from tests.portal.stats_world import C, NOW, batches
from tests.portal.world import USCC_B
from tests.support.factories import event

Sessions = sessionmaker[Session]
PORT = Principal(1, "port", Role.PORT_OFFICE.value, None, None)
NOVEMBER = StatsFilter("IMPORT", date(2026, 11, 1), date(2026, 12, 1))


def store(sessions: Sessions, *batch: list[ClearanceEvent]) -> None:
    for events in batch:
        with sessions() as session:
            store_events(session, events)
            session.commit()


def dirty(sessions: Sessions) -> set[date]:
    with sessions() as session:
        return set(session.scalars(select(FigureDirtyDay.day)))


def gacc(sessions: Sessions, group_by: str = "none") -> dict[str, object]:
    with sessions() as session:
        return clearance_time(session, PORT, figure("gacc", "IMPORT"), NOVEMBER, group_by, NOW)


def released(n: int, at: str, event_id: str | None = None) -> ClearanceEvent:
    visit = {"container_no": C[n], "direction": "IMPORT", "voyage": f"V{n:02d}", "terminal": "YTGD",
             "enterprise_uscc": USCC_B, "declarant_uscc": USCC_B}
    return event("CUSTOMS_RELEASED", event_id or f"rel-{n}", at, source="CUSTOMS", publisher="4201",
                 customs_code="P", updated_at="2026-11-21T09:00:00+08:00", **visit)


def test_rebuilds_mark_the_days_whose_figures_they_change(sessions: Sessions) -> None:
    store(sessions, *batches())
    assert date(2026, 11, 5) in dirty(sessions)  # C3's release, among the others
    with sessions() as session:
        session.execute(delete(FigureDirtyDay))
        session.commit()
    store(sessions, [released(3, "2026-11-06T01:00:00+08:00")])  # C3's release corrected to the next day
    assert dirty(sessions) == {date(2026, 11, 5), date(2026, 11, 6)}


def test_a_rebuild_marks_only_the_days_it_changes(sessions: Sessions) -> None:
    store(sessions, *batches())
    with sessions() as session:
        session.execute(delete(FigureDirtyDay))
        session.commit()
    visit = {"container_no": C[3], "direction": "IMPORT", "voyage": "V03", "terminal": "YTGD",
             "enterprise_uscc": USCC_B, "declarant_uscc": USCC_B}
    planned = event("GATE_OUT", "out-3-plan", "2026-11-21T09:00:00+08:00", publisher="YTGD",
                    classifier="PLANNED", **visit)
    store(sessions, [planned])  # a new timeline, the same milestones
    assert dirty(sessions) == set()
    store(sessions, [event("GATE_OUT", "out-3", "2026-11-21T10:00:00+08:00", publisher="YTGD", **visit)])
    # C3's dwell, pickup and port-logistics end on 11-21, its GACC of 11-05 stays; the pickup time
    # limit's step started at the release, on 11-05, and is complete now
    assert dirty(sessions) == {date(2026, 11, 21), date(2026, 11, 5)}


def test_touched_days_pairs_visits_and_compares_what_each_measure_reads() -> None:
    at = datetime.fromisoformat
    row = {"container_no": "C", "visit_key": "v", "direction": "IMPORT", "terminal": "YTGD", "lane": "normal",
           "inspected": False, "vessel_arrived_at": at("2026-11-05T00:00:00+08:00"),
           **{name: None for name in ("discharged_at", "declaration_accepted_at", "customs_released_at",
                                      "gate_out_at", "arrival_reported_at", "gate_in_at", "loaded_at",
                                      "vessel_departed_at")}}
    done = {**row, "customs_released_at": at("2026-11-05T23:30:00+08:00")}
    assert touched_days([row], [row]) == set()
    assert touched_days([row], [done]) == {date(2026, 11, 5)}
    assert touched_days([done], [{**done, "terminal": "YTCT"}]) == {date(2026, 11, 5)}
    assert touched_days([done], []) == {date(2026, 11, 5)}  # a visit gone (its events retracted)
    moved = {**done, "customs_released_at": at("2026-11-06T00:30:00+08:00")}
    assert touched_days([done], [moved]) == {date(2026, 11, 5), date(2026, 11, 6)}


def test_kept_days_are_read_from_their_rows_and_changed_days_live(sessions: Sessions) -> None:
    store(sessions, *batches())
    live = gacc(sessions)
    FigureRoller(sessions, lambda: NOW, keep_days=30).step(float("inf"))
    assert gacc(sessions) == live
    with sessions() as session:  # C3 taken out behind the roller's back: its kept day still counts it
        session.execute(delete(VisitMilestones).where(VisitMilestones.container_no == C[3]))
        session.commit()
    assert gacc(sessions)["groups"] == live["groups"]
    store(sessions, [released(3, "2026-11-05T04:00:00+08:00")])  # a late correction: 3 h -> 4 h
    [now_live] = gacc(sessions)["groups"]  # type: ignore[misc]
    assert (now_live["count"], now_live["mean"], now_live["p50"]) == (5, 4.2, 4.0)
    assert FigureRoller(sessions, lambda: NOW, keep_days=30).step(float("inf")) == 1  # that day again
    assert gacc(sessions)["groups"] == [now_live]
    assert {day for day in dirty(sessions) if day < NOW.date()} == set()  # today's and later wait their turn


def test_roll_day_writes_each_group_once_with_its_durations_in_order(sessions: Sessions) -> None:
    store(sessions, *batches())
    with sessions() as session:
        for _ in range(2):  # rolled twice, as two rollers would: the same rows
            roll_day(session, date(2026, 11, 5), NOW)
            session.commit()
        rows = session.execute(select(FigureDayValues).where(
            FigureDayValues.measure == "gacc", FigureDayValues.kind == "figure")).scalars().all()
        assert [(r.terminal, r.lane, r.inspected, r.closed, list(durations(r.seconds))) for r in rows] == [
            ("YTGD", "normal", True, 1, [3 * 3600.0])]
        assert session.scalar(select(func.count()).select_from(FigureDay)) == 1


def test_due_days_are_the_past_days_not_kept_or_changed_since_newest_first(sessions: Sessions) -> None:
    now = datetime.fromisoformat("2026-11-20T00:05:00+08:00")  # 11-19 is over, but not by GRACE yet
    with sessions() as session:
        assert due_days(session, now, keep_days=3) == [date(2026, 11, 18), date(2026, 11, 17), date(2026, 11, 16)]
        assert due_days(session, now + GRACE, keep_days=3)[0] == date(2026, 11, 19)
    roller = FigureRoller(sessions, lambda: now, keep_days=3)
    assert roller.step(0.0) == 1  # at least one day per call, however short the budget
    assert roller.step(float("inf")) == 2 and roller.step(float("inf")) == 0
    store(sessions, [released(3, "2026-11-17T03:00:00+08:00", "rel-17")])
    with sessions() as session:
        assert due_days(session, now, keep_days=3) == [date(2026, 11, 17)]
        assert due_days(session, now, keep_days=1) == []  # changed, but older than the days kept
    assert roller.step(float("inf")) == 1


def test_the_roller_keeps_past_days_only(sessions: Sessions) -> None:
    store(sessions, *batches())
    FigureRoller(sessions, lambda: NOW, keep_days=30).step(float("inf"))
    with sessions() as session:
        days = set(session.scalars(select(FigureDay.day)))
    assert max(days) == NOW.date() - timedelta(days=1) and len(days) == 30
