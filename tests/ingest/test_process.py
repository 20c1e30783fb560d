"""`clearance ingest` as a real process: SIGTERM finishes the batch, commits, exits 0."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from events.codec import encode, message_key
from models import StoredEvent
from models.db import make_engine, session_factory
from tests.conftest import settings_env
from tests.support.factories import event
from tests.support.http import free_port
from tests.support.pipeline import committed, end_offsets, produce, wait_until


def count_stored(url: str) -> int:
    """How many events the database at `url` holds."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        n = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
    engine.dispose()
    return n


def start_ingest(settings, *args: str) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "clearance.cli", "ingest", *args],
                            env=settings_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigterm_commits_and_exits_zero(database_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    messages = []
    for i in range(300):
        e = event("GATE_IN", f"s{i}", "2026-11-20T08:00:00+08:00")
        messages.append((message_key(e), encode(e)))
    worker = start_ingest(settings)
    try:
        produce(settings.kafka_bootstrap_servers, settings.events_topic, messages)
        wait_until(lambda: count_stored(database_url) == 300, 60, "300 events stored")
        wait_until(lambda: committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic)
                   == end_offsets(settings.kafka_bootstrap_servers, settings.events_topic), 30, "offsets committed")
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert "stored 300" in err  # the final progress line


def test_run_of_dead_letters_exits_nonzero_with_message(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url, dlq_run_limit=3)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, [(None, b"{}")] * 8, partitions=1)
    worker = start_ingest(settings, "--max-idle", "20")
    _, err = worker.communicate(timeout=90)
    assert worker.returncode == 3, err
    assert "invalid messages in a row (limit CLEARANCE_DLQ_RUN_LIMIT=3)" in err
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == {}


def test_bad_configuration_names_the_key(make_settings, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    env = settings_env(make_settings(sqlite_url)) | {"CLEARANCE_BATCH_SIZE": "lots"}
    result = subprocess.run([sys.executable, "-m", "clearance.cli", "ingest"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "CLEARANCE_BATCH_SIZE='lots'" in result.stderr


def test_sigterm_ends_a_worker_within_5_s_while_no_broker_answers(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    """Making the topics and connecting block while no broker answers: a SIGTERM then ends the worker at
    once, with status 0 (it used to die of the signal). A running worker whose brokers all went away is
    ended by the signal's deadline (ingest.shutdown): tests/faults/test_brokers.py."""
    settings = make_settings(sqlite_url, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    worker = start_ingest(settings, "--quiet")
    try:
        time.sleep(4)  # connecting, retrying
        assert worker.poll() is None, "a worker waits for a broker"
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
        took = time.monotonic() - asked
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err[-3000:]
    assert took <= 5, f"SIGTERM took {took:.1f}s"
