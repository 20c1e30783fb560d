"""The overdue watcher's pass (models.overdue) on both databases, with a clock of the test's own: alerts
appear when a threshold passes with no event arriving, escalate, clear when the step completes or its
start is withdrawn, open again when a completion is withdrawn, follow terminal rules and switches."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from events.codec import ClearanceEvent
from models.access import Principal
from models.alert_rules import AlertRule, RuleSettings, add_rule, seed_default_rules, update_rule
from models.alerts import Alert, Tier, alert_view, mark_pushed, unpushed_alerts
from models.operations import store_events
from models.overdue import PassResult, watch_pass
from models.user import Role
from tests.support.factories import CONTAINER, event

Sessions = sessionmaker[Session]
ORDERED = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
OFFICE = Principal(1, "port-office", Role.PORT_OFFICE.value, None, None)


def at(minutes: float) -> datetime:
    return ORDERED + timedelta(minutes=minutes)


def text_time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def customs(type: str, event_id: str, moment: datetime, **fields: object) -> ClearanceEvent:
    return event(type, event_id, text_time(moment), source="CUSTOMS", publisher="4201", **fields)


def terminal(type: str, event_id: str, moment: datetime, **fields: object) -> ClearanceEvent:
    return event(type, event_id, text_time(moment), **fields)


@pytest.fixture
def db(sessions: Sessions) -> Iterator[Sessions]:
    """The database with the default rules (PostgreSQL tests truncate them away) and an export box of
    20 feet at YTCT whose inspection was ordered at ORDERED."""
    with sessions() as session:
        seed_default_rules(session, ORDERED)
        store_events(session, [terminal("GATE_IN", "g1", at(-60), detail={"size_type": "22G1"}),
                               customs("INSPECTION_ORDERED", "io1", ORDERED)])
        session.commit()
    yield sessions


def store(db: Sessions, *events: ClearanceEvent) -> None:
    with db() as session:
        store_events(session, list(events))
        session.commit()


def watch(db: Sessions, now: datetime) -> PassResult:
    with db() as session:
        result = watch_pass(session, now)
        session.commit()
    return result


def alerts(db: Sessions) -> list[tuple[str, str, str, str | None]]:
    with db() as session:
        rows = session.scalars(select(Alert).order_by(Alert.step, Alert.tier))
        return [(a.step, a.tier, a.state, a.cleared_reason) for a in rows]


def test_warning_then_alarm_with_no_event_arriving(db: Sessions) -> None:
    assert watch(db, at(29.9)).raised == []
    assert alerts(db) == []
    assert len(watch(db, at(30.1)).raised) == 1  # the clock alone: nothing was stored since ORDERED
    assert alerts(db) == [("REPOSITION", "WARNING", "OPEN", None)]
    assert watch(db, at(45)).changed == 0
    result = watch(db, at(60.5))
    assert len(result.raised) == 1 and len(result.cleared) == 1
    assert alerts(db) == [("REPOSITION", "ALARM", "OPEN", None), ("REPOSITION", "WARNING", "CLEARED", "ESCALATED")]


def test_clears_when_the_step_completes_keeping_how_late(db: Sessions) -> None:
    watch(db, at(61))
    store(db, terminal("REPOSITIONED", "rp1", at(70)))
    result = watch(db, at(70.5))
    assert len(result.cleared) == 1
    with db() as session:
        alarm = session.scalars(select(Alert).where(Alert.tier == "ALARM")).one()
        view = alert_view(alarm, ("YTCT", None, None))
    assert (view["state"], view["cleared_reason"]) == ("CLEARED", "COMPLETED")
    assert view["completed_at"] == text_time(at(70))
    assert (view["took_seconds"], view["late_seconds"]) == (70 * 60, 10 * 60)
    # the next step (inspection of a 20' box: 2 h alarm) starts at repositioning
    assert watch(db, at(70 + 89)).raised == []
    watch(db, at(70 + 91))
    assert ("INSPECTION", "WARNING", "OPEN", None) in alerts(db)


def test_a_step_past_its_alarm_when_first_seen_raises_the_alarm_alone(db: Sessions) -> None:
    watch(db, at(200))
    assert alerts(db) == [("REPOSITION", "ALARM", "OPEN", None)]


def test_withdrawn_start_clears_and_a_withdrawn_end_opens_again(db: Sessions) -> None:
    watch(db, at(61))
    store(db, terminal("REPOSITIONED", "rp1", at(62)))
    watch(db, at(63))
    assert alerts(db)[0][2:] == ("CLEARED", "COMPLETED")
    store(db, terminal("REPOSITIONED", "rp1-x", at(64), retracts="rp1"))  # the terminal withdraws it
    assert len(watch(db, at(65)).raised) == 1
    assert alerts(db)[0] == ("REPOSITION", "ALARM", "OPEN", None)
    store(db, customs("INSPECTION_ORDERED", "io1-x", at(66), retracts="io1"))
    watch(db, at(67))
    assert alerts(db)[0][2:] == ("CLEARED", "WITHDRAWN")


def test_terminal_rule_takes_over_for_its_terminal_only(db: Sessions) -> None:
    with db() as session:
        add_rule(session, "REPOSITION", "YTGD", None, RuleSettings(5 * 60, 10 * 60, 99.0, True), OFFICE, at(0))
        session.commit()
    assert watch(db, at(11)).raised == []  # YTCT's box keeps the port-wide 30 min
    with db() as session:
        add_rule(session, "REPOSITION", "YTCT", None, RuleSettings(5 * 60, 10 * 60, 99.0, True), OFFICE, at(0))
        session.commit()
    watch(db, at(11))
    assert alerts(db) == [("REPOSITION", "ALARM", "OPEN", None)]


def test_switching_a_rule_off_clears_its_alerts_and_on_again_reopens_them(db: Sessions) -> None:
    watch(db, at(31))
    with db() as session:
        rule = session.scalars(select(AlertRule).where(AlertRule.step == "REPOSITION")).one()
        update_rule(session, rule.id, RuleSettings(1800, 3600, 99.0, False), OFFICE, at(32))
        session.commit()
    assert alerts(db) == [("REPOSITION", "WARNING", "CLEARED", "RULE_DISABLED")]
    assert watch(db, at(40)).changed == 0
    with db() as session:
        update_rule(session, rule.id, RuleSettings(1800, 3600, 99.0, True), OFFICE, at(41))
        session.commit()
    watch(db, at(42))
    assert alerts(db) == [("REPOSITION", "WARNING", "OPEN", None)]


def test_export_moved_without_release_and_shut_out(db: Sessions) -> None:
    store(db, terminal("LOADED", "ld1", at(120)), event("VESSEL_DEPARTED", "vd1", text_time(at(180)),
                                                         source="MARITIME", publisher="YTMSA", container_no=None,
                                                         enterprise_uscc=None, terminal=None))
    watch(db, at(121))
    assert ("LOADED_UNRELEASED", "ALARM", "OPEN", None) in alerts(db)
    store(db, customs("CUSTOMS_RELEASED", "rel1", at(150)))
    watch(db, at(151))
    with db() as session:
        late = session.scalars(select(Alert).where(Alert.step == "LOADED_UNRELEASED")).one()
        assert alert_view(late, (None, None, None))["late_seconds"] == 30 * 60  # released 30 min after loading
    assert not [a for a in alerts(db) if a[0] == "EXPORT_LOADING"]  # loaded before the vessel left


def test_released_export_left_behind_by_its_vessel(sessions: Sessions) -> None:
    with sessions() as session:
        seed_default_rules(session, ORDERED)
        store_events(session, [terminal("GATE_IN", "g1", at(0)), customs("CUSTOMS_RELEASED", "rel1", at(30)),
                               event("VESSEL_DEPARTED", "vd1", text_time(at(300)), source="MARITIME",
                                     publisher="YTMSA", container_no=None, enterprise_uscc=None, terminal=None)])
        session.commit()
    assert watch(sessions, at(299)).raised == []
    watch(sessions, at(300))
    assert alerts(sessions) == [("EXPORT_LOADING", "ALARM", "OPEN", None)]


def test_every_change_waits_in_the_outbox_until_pushed(db: Sessions) -> None:
    watch(db, at(31))
    with db() as session:
        [view] = unpushed_alerts(session)
        assert (view["container_no"], view["terminal"], view["version"]) == (CONTAINER, "YTCT", 1)
        mark_pushed(session, [(view["id"], view["version"])])
        session.commit()
        assert unpushed_alerts(session) == []
    watch(db, at(61))
    with db() as session:
        assert sorted((v["tier"], v["state"], v["version"]) for v in unpushed_alerts(session)) == [
            ("ALARM", "OPEN", 1), ("WARNING", "CLEARED", 2)]


def test_two_watchers_at_once_raise_each_alert_once(db: Sessions, database_url: str) -> None:
    """Two watchers (their own engines, threads started together) pass at the same moments: every alert
    is raised by exactly one of them."""
    import threading

    from models.db import make_engine, session_factory

    store(db, *[customs("INSPECTION_ORDERED", f"io-{n}", at(n), container_no=number)
                for n, number in enumerate(CONTAINERS)])
    engines = [make_engine(database_url) for _ in range(2)]
    raised: list[list[int]] = [[], []]

    def watcher(index: int, barrier: threading.Barrier, now: datetime) -> None:
        sessions = session_factory(engines[index])
        barrier.wait()
        raised[index] += watch(sessions, now).raised

    try:
        for minutes in (31, 45, 61, 75, 200):
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=watcher, args=(i, barrier, at(minutes))) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for engine in engines:
            engine.dispose()
    both = raised[0] + raised[1]
    with db() as session:
        stored = session.scalars(select(Alert.id)).all()
    assert sorted(both) == sorted(stored) and len(stored) == 2 * (len(CONTAINERS) + 1)


def test_a_raise_racing_an_uncommitted_one_changes_nothing(db: Sessions, database_url: str) -> None:
    """Watcher B raises while watcher A's raise of the same alert is not committed (no pass lock here):
    on PostgreSQL B's INSERT does not see A's row, waits for it on the key, and then does nothing (ON
    CONFLICT); on SQLite B waits for A's write lock and then sees the row."""
    import threading

    from models.alert_rules import load_rules
    from models.db import make_engine, session_factory
    from models.overdue import raise_overdue
    from models.time_limits import applicability

    def raise_reposition(session: Session) -> list[int]:
        rules = load_rules(session)
        rule_id, rule = next((i, r) for i, r in rules if r.step == "REPOSITION")
        raised = raise_overdue(session, rule_id, rule, applicability(rule, [r for _, r in rules]), at(31))
        return raised[Tier.ALARM] + raised[Tier.WARNING]

    engine = make_engine(database_url)
    late: list[list[int]] = []
    try:
        with db() as first:
            assert len(raise_reposition(first)) == 1
            second = threading.Thread(target=lambda: late.append(_raise_and_commit(session_factory(engine),
                                                                                   raise_reposition)))
            second.start()
            second.join(timeout=1.0)
            assert second.is_alive()  # waiting for the first watcher's row
            first.commit()
        second.join(timeout=30)
    finally:
        engine.dispose()
    assert late == [[]]
    assert alerts(db) == [("REPOSITION", "WARNING", "OPEN", None)]


def _raise_and_commit(sessions: Sessions, raise_alerts) -> list[int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        raised: list[int] = raise_alerts(session)
        session.commit()
    return raised


def _container_numbers(count: int) -> list[str]:
    from stdnum import iso6346
    return [f"TCLU{n:06d}" + iso6346.calc_check_digit(f"TCLU{n:06d}") for n in range(100, 100 + count)]


CONTAINERS = _container_numbers(30)
