"""The broker stopped under a running worker and started again (the demo's local broker restarted): the
worker goes on running, without a stack, and stores what is published once the broker is back. It
died a second after its broker stopped: kafka-python raised the lost connection out of
`consumer.position()`, which the worker's metrics read for the lag of partitions just revoked."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearance.broker.cluster import LocalCluster
from clearance.config import from_environ, ingest_settings
from ingest.runner import IngestWorker
from models.db import make_engine, session_factory
from tests.ingest.test_worker import gate_ins, stored_ids
from tests.support.http import free_port_block
from tests.support.pipeline import produce


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalCluster]:
    """A broker of this test's own, to stop and start."""
    broker = LocalCluster(tmp_path / "kafka", from_environ({}).kafka_cache_dir, free_port_block(2), 1)
    broker.start(timeout=240, progress=lambda _: None)
    yield broker
    broker.stop()


def wait_for_stored(database_url: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(stored_ids(database_url)) < count:
        assert time.monotonic() < deadline, f"{len(stored_ids(database_url))} of {count} stored after {timeout} s"
        time.sleep(0.3)


@pytest.mark.slow
def test_a_worker_outlives_its_broker_stopping_and_starting(  # type: ignore[no-untyped-def]
        own_broker: LocalCluster, sqlite_url: str, make_settings, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(sqlite_url, kafka_bootstrap_servers=own_broker.bootstrap)
    messages = gate_ins(40)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, messages[:20])
    engine = make_engine(sqlite_url)
    worker = IngestWorker(ingest_settings(settings), session_factory(engine))
    outcome: list[BaseException | str] = []

    def outage() -> None:  # beside the worker, which runs in the main thread (its signal handlers)
        try:
            wait_for_stored(sqlite_url, 20, timeout=60)
            own_broker.stop()
            time.sleep(8)  # it died within a second, on the lag reading after the revocation
            own_broker.start(timeout=240, progress=lambda _: None)
            produce(settings.kafka_bootstrap_servers, settings.events_topic, messages[20:])
            wait_for_stored(sqlite_url, 40, timeout=120)
            outcome.append("stored after the restart")
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcome.append(exc)
        finally:
            worker.stop()
    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    try:
        worker.run()  # raised out of here when the broker's going ended it
    finally:
        worker.stop()
        thread.join(300)
        engine.dispose()
    assert outcome == ["stored after the restart"], outcome
    # kafka-python's own loggers may log a reset connection with its stack; `clearance ingest` folds those
    # into one line (clearance.kafka_logging), which this in-process worker does not install
    assert not [r for r in caplog.records if r.exc_info and not r.name.startswith("kafka.")], "a stack was logged"
