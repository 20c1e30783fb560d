"""`clearance run`'s status line when its broker is gone: the database's figures at once, the broker's
unknown, instead of kafka-python waiting for a broker that is not there (minutes, on the way out after
`clearance kafka stop`)."""
from __future__ import annotations

import time

from clearance.broker import LocalKafka
from clearance.config import from_environ
from clearance.monitor import PipelineMonitor
from events.kafka import ensure_topics
from models.db import make_engine, session_factory
from tests.support.http import free_port_block
from tests.support.pipeline import produce


def test_the_status_without_a_broker_comes_at_once(tmp_path, make_settings, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    port = free_port_block(2)
    broker = LocalKafka(tmp_path / "kafka", from_environ({}).kafka_cache_dir, port=port, controller_port=port + 1)
    bootstrap = broker.start(timeout=180, progress=lambda _: None)
    settings = make_settings(sqlite_url, kafka_bootstrap_servers=bootstrap)
    ensure_topics(bootstrap, {settings.events_topic: 2, settings.dlq_topic: 1})
    produce(bootstrap, settings.dlq_topic, [(b"k", b"a dead letter")], partitions=1)
    engine = make_engine(sqlite_url)
    monitor = PipelineMonitor(settings, session_factory(engine))
    try:
        assert monitor.status().dead_lettered == 1  # the broker answers
        broker.stop()
        began = time.monotonic()
        status = monitor.status()
        stored, lag = monitor.stored_and_lag()
        took = time.monotonic() - began
    finally:
        broker.stop()
        engine.dispose()
    assert took < 5, f"the status took {took:.1f}s without a broker"
    assert (status.stored, status.dead_lettered, status.lag, stored, lag) == (0, None, None, 0, None)
