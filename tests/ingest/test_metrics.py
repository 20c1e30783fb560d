"""An ingest worker's metrics and its HTTP port (/metrics, /healthz, /readyz), against the real broker
and real databases."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any

import psycopg
import pytest
from prometheus_client import generate_latest

from clearance.config import ingest_settings
from events.codec import InvalidEvent, decode, encode, message_key
from ingest.handlers import refusal_reason
from ingest.metrics import IngestMetrics, reason_code
from ingest.metrics_server import readiness, worker_checks
from ingest.runner import IngestWorker
from models.db import make_engine, session_factory
from models.operations import StoreResult
from tests.conftest import settings_env
from tests.ingest.test_worker import stop_when
from tests.support.factories import CONTAINER, OTHER_CONTAINER, doc, event
from tests.support.http import logged_metrics_url
from tests.support.pipeline import produce, wait_until

NOWHERE_DATABASE = "postgresql://nobody:wrong@127.0.0.1:1/none"


def gate_ins(count: int, container_no: str = CONTAINER) -> list[tuple[bytes | None, bytes]]:
    events = [event("GATE_IN", f"{container_no}-{i}", "2026-11-20T08:00:00+08:00", container_no=container_no)
              for i in range(count)]
    return [(message_key(e), encode(e)) for e in events]


def worker_for(settings: Any) -> IngestWorker:
    return IngestWorker(ingest_settings(settings), session_factory(make_engine(settings.database_url)))


def run(worker: IngestWorker, max_idle: float = 3) -> IngestWorker:
    try:
        worker.run(max_idle=max_idle)
    finally:
        worker.sessions.kw["bind"].dispose()
    return worker


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode()


def test_a_batch_moves_the_counters_and_histograms_and_dead_letters_count_by_reason(  # type: ignore[no-untyped-def]
        database_url, make_settings) -> None:
    settings = make_settings(database_url)
    bad = [(CONTAINER.encode(), b"\xff\xfe"), (None, b"[1,2]"), (None, b"[3]"),
           (None, json.dumps(doc("GATE_IN", "x1", "2026-11-20T08:00:00+08:00", container_no="CICU3789923")).encode())]
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(30) + bad + gate_ins(5))
    worker = run(worker_for(settings))
    value = worker.metrics.registry.get_sample_value
    assert value("clearance_ingest_records_received_total") == 39
    assert value("clearance_ingest_events_stored_total") == 30 == worker.stats.stored
    assert value("clearance_ingest_events_unchanged_total") == 5
    assert value("clearance_ingest_dead_letters_total", {"reason": "not_utf8"}) == 1
    assert value("clearance_ingest_dead_letters_total", {"reason": "not_object"}) == 2
    assert value("clearance_ingest_dead_letters_total", {"reason": "invalid_fields"}) == 1
    assert value("clearance_ingest_containers_changed_total") == worker.stats.containers_changed >= 1
    for histogram in ("batch_duration_seconds", "store_duration_seconds", "rebuild_duration_seconds",
                      "rebuild_lock_wait_seconds"):
        assert value(f"clearance_ingest_{histogram}_count") == worker.stats.batches
    assert worker.stats.batches >= 1
    rebuild = value("clearance_ingest_rebuild_duration_seconds_sum")
    store = value("clearance_ingest_store_duration_seconds_sum")
    batch = value("clearance_ingest_batch_duration_seconds_sum")
    assert rebuild is not None and store is not None and batch is not None and 0 < rebuild < store <= batch
    assert value("clearance_ingest_assigned_partitions") == 4
    lags = [value("clearance_ingest_consumer_lag", {"partition": str(p)}) for p in range(4)]
    assert lags == [0, 0, 0, 0]  # everything stored and committed


def test_metrics_carry_no_container_numbers(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url)
    invalid = json.dumps(doc("GATE_IN", "x1", "2026-11-20T08:00:00+08:00", container_no="CICU3789923")).encode()
    produce(settings.kafka_bootstrap_servers, settings.events_topic,
            gate_ins(3) + gate_ins(3, OTHER_CONTAINER) + [(b"CICU3789923", invalid)])
    worker = run(worker_for(settings))
    text = generate_latest(worker.metrics.registry).decode()
    assert worker.stats.stored == 6 and worker.stats.dead_lettered == 1
    assert "clearance_ingest_dead_letters_total{" in text
    for number in (CONTAINER, OTHER_CONTAINER, "CICU3789923", "CICU", "3789"):
        assert number not in text


def test_reason_codes_of_real_reasons() -> None:
    def reason(value: bytes, **options: Any) -> str:
        with pytest.raises(InvalidEvent) as caught:
            decode(value, **options)
        return caught.value.reason

    assert reason_code(reason(b"")) == "empty"
    assert reason_code(reason(b"{}" * 100, max_bytes=10)) == "too_large"
    assert reason_code(reason(b"\xff")) == "not_utf8"
    assert reason_code(reason(b"{nope")) == "not_json"
    assert reason_code(reason(b'"text"')) == "not_object"
    assert reason_code(reason(json.dumps({"schema_version": 1}).encode())) == "invalid_fields"
    refused = refusal_reason(psycopg.DataError("invalid byte sequence for encoding UTF8: 0x00"))
    assert reason_code(refused) == "database_refused"


def test_database_retries_are_counted(make_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("ingest.outage.RETRY_DELAYS", (0.1, 0.1))
    monkeypatch.setattr("ingest.outage.RETRY_CAP", 60.0)  # the third retry waits until the stop
    down = make_settings(NOWHERE_DATABASE)
    produce(down.kafka_bootstrap_servers, down.events_topic, gate_ins(5))
    worker = worker_for(down)
    retries = "clearance_ingest_database_retries_total"
    seen = stop_when(worker, lambda: (worker.metrics.registry.get_sample_value(retries) or 0) >= 3)
    run(worker, max_idle=60)
    assert seen == [True]
    assert worker.metrics.registry.get_sample_value(retries) == 3
    assert worker.metrics.registry.get_sample_value("clearance_ingest_events_stored_total") == 0


def test_workers_in_one_process_keep_their_own_metrics() -> None:
    first, second = IngestMetrics(), IngestMetrics()
    first.count_batch(7, StoreResult(6, 1, {CONTAINER: 1}), [], 0.01, 0.02)
    assert first.registry.get_sample_value("clearance_ingest_events_stored_total") == 6
    assert second.registry.get_sample_value("clearance_ingest_events_stored_total") == 0


def test_the_workers_port_answers_metrics_health_and_readiness(  # type: ignore[no-untyped-def]
        sqlite_url, make_settings) -> None:
    settings = make_settings(sqlite_url, metrics_port=0)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(12))
    worker = worker_for(settings)
    seen: dict[str, tuple[int, str]] = {}

    def probe() -> None:
        wait_until(lambda: worker.metrics_server is not None, 30, "the metrics port")
        base = f"http://127.0.0.1:{worker.metrics_server.port}"  # type: ignore[union-attr]
        seen["healthz"] = get(f"{base}/healthz")
        wait_until(lambda: worker.stats.stored == 12, 60, "12 events stored")
        seen["readyz"], seen["metrics"], seen["other"] = get(f"{base}/readyz"), get(f"{base}/metrics"), get(f"{base}/x")
        seen["base"] = (0, base)

    prober = threading.Thread(target=probe)
    prober.start()
    run(worker, max_idle=4)
    prober.join(timeout=60)
    assert seen["healthz"] == (200, "ok\n")
    assert seen["readyz"][0] == 200
    assert json.loads(seen["readyz"][1]) == {
        "ready": True, "failed": [], "checks": {"database": "ok", "kafka": "ok", "consumer": "ok"}}
    status, text = seen["metrics"]
    assert status == 200 and "clearance_ingest_events_stored_total 12.0" in text
    assert seen["other"][0] == 404
    with pytest.raises(urllib.error.URLError):  # stopped with the worker
        get(f"{seen['base'][1]}/healthz")


def test_readiness_names_the_database_when_it_is_down(kafka_bootstrap: str) -> None:
    engine = make_engine(NOWHERE_DATABASE)
    try:
        ready, body = readiness(worker_checks(session_factory(engine), kafka_bootstrap, lambda: True))
    finally:
        engine.dispose()
    assert not ready
    assert body["failed"] == ["database"] and body["checks"]["kafka"] == "ok"
    assert "nobody" not in json.dumps(body)  # the connection's words are logged, not answered


def test_readiness_names_kafka_and_the_consumer_when_they_are_not_there(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        ready, body = readiness(worker_checks(session_factory(engine), "127.0.0.1:1", lambda: False))
    finally:
        engine.dispose()
    assert not ready
    assert body["failed"] == ["kafka", "consumer"] and body["checks"]["database"] == "ok"
    assert body["checks"]["consumer"] == "not in the consumer group yet, or rebalancing"


def test_clearance_ingest_serves_on_any_free_port_and_logs_it(  # type: ignore[no-untyped-def]
        sqlite_url, make_settings) -> None:
    settings = make_settings(sqlite_url)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(3))
    env = settings_env(settings) | {"CLEARANCE_METRICS_PORT": "0"}
    worker = subprocess.Popen([sys.executable, "-m", "clearance.cli", "ingest", "--quiet", "--max-idle", "4"],
                              env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = logged_metrics_url(worker)
        assert get(f"{base}/healthz") == (200, "ok\n")
        wait_until(lambda: "clearance_ingest_events_stored_total 3.0" in get(f"{base}/metrics")[1], 60, "3 stored")
    finally:
        _, rest = worker.communicate(timeout=90)
    assert worker.returncode == 0, rest
