"""Fixtures of the ingest tests: an overdue watcher started over one ordered inspection."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clearance.config import Settings
from ingest.alert_watch import AlertWatcher
from models.db import make_engine, session_factory
from tests.ingest.test_alert_watcher import ORDERED, clock_at, ordered_inspection, watcher_producer


@dataclass
class Watched:
    settings: Settings
    sessions: sessionmaker[Session]
    watcher: AlertWatcher
    minutes: list[float]  # the watcher's clock, in minutes after the inspection was ordered: set it


@pytest.fixture
def watched(database_url: str, make_settings) -> Iterator[Watched]:  # type: ignore[no-untyped-def]
    """A watcher pushing to the test's alerts topic, started, then an inspection ordered at ORDERED;
    its clock stands 10 minutes after."""
    settings = make_settings(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    producer = watcher_producer(settings)
    minutes = [10.0]
    try:
        watcher = AlertWatcher(sessions, producer, settings.alerts_topic, clock=clock_at(minutes))
        watcher.start()
        ordered_inspection(sessions, ORDERED)
        yield Watched(settings, sessions, watcher, minutes)
    finally:
        producer.close()
        engine.dispose()
