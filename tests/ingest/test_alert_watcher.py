"""The overdue watcher with the real broker: each change of an alert reaches the alerts topic after the
database commit; a watcher that died before pushing leaves it to the next one; `clearance alerts` killed
and started again carries on without raising anything twice."""
from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clearance.config import Settings
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

from events.kafka import ensure_topics, make_producer
from ingest.alert_watch import AlertWatcher, utc_now
from models.alerts import Alert
from models.db import make_engine, session_factory
from models.operations import store_events
from tests.conftest import settings_env
from tests.support.factories import CONTAINER, event
from tests.support.pipeline import read_all, wait_until

ORDERED = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


def ordered_inspection(sessions: sessionmaker[Session], moment: datetime) -> None:
    text = moment.isoformat().replace("+00:00", "Z")
    with sessions() as session:
        store_events(session, [event("GATE_IN", "g1", text), event("INSPECTION_ORDERED", "io1", text,
                                                                     source="CUSTOMS", publisher="4201")])
        session.commit()


def watcher_producer(settings: Settings) -> KafkaProducer:
    ensure_topics(settings.kafka_bootstrap_servers, {settings.alerts_topic: 1})
    return make_producer(settings.kafka_bootstrap_servers)


def pushed(settings: Settings) -> list[tuple[str, str, int]]:
    alerts = [json.loads(r.value)["alert"] for r in read_all(settings.kafka_bootstrap_servers, settings.alerts_topic)]
    return [(a["tier"], a["state"], a["version"]) for a in alerts]


def stored(sessions: sessionmaker[Session]) -> list[tuple[str, str, int, bool]]:
    with sessions() as session:
        return [(a.tier, a.state, a.version, a.pushed) for a in session.scalars(select(Alert).order_by(Alert.tier))]


def clock_at(minutes: list[float]) -> Callable[[], datetime]:
    return lambda: ORDERED + timedelta(minutes=minutes[0])


def test_every_change_is_pushed_after_the_commit(watched) -> None:  # type: ignore[no-untyped-def]
    watcher, settings = watched.watcher, watched.settings
    assert watcher.tick().raised == 0
    watched.minutes[0] = 31
    assert watcher.tick().pushed == 1
    watched.minutes[0] = 61
    assert watcher.tick().pushed == 2
    [message] = [json.loads(r.value) for r in read_all(settings.kafka_bootstrap_servers, settings.alerts_topic)][:1]
    assert message["alert"]["container_no"] == CONTAINER and message["alert"]["terminal"] == "YTCT"
    assert sorted(pushed(settings)) == [("ALARM", "OPEN", 1), ("WARNING", "CLEARED", 2), ("WARNING", "OPEN", 1)]
    assert stored(watched.sessions) == [("ALARM", "OPEN", 1, True), ("WARNING", "CLEARED", 2, True)]


def test_alerts_a_dead_watcher_did_not_push_are_pushed_by_the_next(sqlite_url: str, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url)
    engine = make_engine(sqlite_url)
    sessions = session_factory(engine)
    producer = watcher_producer(settings)
    try:
        ordered_inspection(sessions, ORDERED)
        AlertWatcher(sessions, None, settings.alerts_topic, clock=clock_at([31])).tick()  # then it died
        assert stored(sessions) == [("WARNING", "OPEN", 1, False)]
        successor = AlertWatcher(sessions, producer, settings.alerts_topic, clock=clock_at([32]))
        tick = successor.tick()
        assert (tick.raised, tick.pushed) == (0, 1)
    finally:
        producer.close()
        engine.dispose()
    assert pushed(settings) == [("WARNING", "OPEN", 1)]


def test_clearance_alerts_killed_and_started_again(database_url: str, make_settings) -> None:  # type: ignore[no-untyped-def]
    """The real command on the real clock: a box whose inspection order is 59 min 54 s old gets its
    warning from the first process; that one is killed (SIGKILL: no clean exit) before the alarm is due;
    the second process raises the alarm and escalates the warning, and nothing is raised twice."""
    settings = make_settings(database_url, alert_watch_seconds=0.5)
    env = settings_env(settings) | {"CLEARANCE_ALERT_WATCH_SECONDS": "0.5"}
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    ordered_inspection(sessions, utc_now() - timedelta(minutes=59, seconds=54))
    command = [sys.executable, "-m", "clearance.cli", "alerts"]
    first = subprocess.Popen(command, env=env)
    try:
        wait_until(lambda: [s[:2] for s in stored(sessions)] == [("WARNING", "OPEN")], 30, "the warning")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert [s[:2] for s in stored(sessions)] == [("WARNING", "OPEN")]
    second = subprocess.Popen(command, env=env)
    try:
        wait_until(lambda: [s[:2] for s in stored(sessions)] == [("ALARM", "OPEN"), ("WARNING", "CLEARED")], 30,
                   "the alarm after the restart")
        wait_until(lambda: all(s[3] for s in stored(sessions)), 30, "the push")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        engine.dispose()
    assert ("ALARM", "OPEN", 1) in pushed(settings) and ("WARNING", "CLEARED", 2) in pushed(settings)
    assert pushed(settings).count(("ALARM", "OPEN", 1)) == 1


def test_a_push_the_broker_refuses_logs_one_line_and_the_next_pass_pushes(  # type: ignore[no-untyped-def]
        sqlite_url: str, make_settings, caplog) -> None:
    """The broker refuses every push while the alerts topic takes no message as large as an alert (a
    refusal no retry mends, as the demo's first push to a fresh topic once was). The running watcher logs
    each failed pass as one warning line naming the refusal, not a stack, and keeps the alert unpushed;
    once the topic takes it, a later pass pushes it, once."""
    settings = make_settings(sqlite_url)
    topic = settings.alerts_topic
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "64"})])
    engine = make_engine(sqlite_url)
    sessions = session_factory(engine)
    producer = make_producer(settings.kafka_bootstrap_servers)
    caplog.set_level(logging.INFO, logger="ingest.alert_watch")
    ordered_inspection(sessions, ORDERED)
    watcher = AlertWatcher(sessions, producer, topic, clock=clock_at([31]), interval=0.2)
    running = threading.Thread(target=watcher.run)
    running.start()
    try:
        wait_until(lambda: len(failed_passes(caplog)) >= 2, 30, "two refused pushes")
        assert stored(sessions) == [("WARNING", "OPEN", 1, False)]
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": "1048588"})])
        wait_until(lambda: stored(sessions) == [("WARNING", "OPEN", 1, True)], 30, "the push once the topic takes it")
    finally:
        watcher.stop()
        running.join(timeout=30)
        producer.close()
        admin.close()
        engine.dispose()
    failures = failed_passes(caplog)
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in failures)
    assert all("MessageSizeTooLargeError" in r.getMessage() for r in failures)
    assert not [r for r in caplog.records if r.exc_info]
    assert pushed(settings) == [("WARNING", "OPEN", 1)]


def failed_passes(caplog) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    return [r for r in caplog.records if r.getMessage().startswith("alert watch pass failed")]
