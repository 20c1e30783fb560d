"""Tests for clearance.broker against a real Kafka broker run from Maven Central jars."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from clearance.broker import BrokerError, LocalKafka, config
from clearance.broker.cluster import LocalCluster
from clearance.broker.proc import cmdline, pid_alive

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]


def _cache_dir() -> Path:
    """The jar cache shared by all tests (and the CLI's default), so jars download once."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clearance" / "kafka"


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports chosen by the OS (never 9092/39092 and neighbours)."""
    ports: list[int] = []
    sockets = []
    while len(ports) < count:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        sockets.append(s)
        if port not in (9092, 9093, 39092, 39093):
            ports.append(port)
    for s in sockets:
        s.close()
    return ports


def _quiet(message: str) -> None:
    log.info("%s", message)


def _gone(pid: int) -> bool:
    return not pid_alive(pid) and not Path(f"/proc/{pid}/cmdline").exists()


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    port, controller_port = _free_ports(2)
    broker = LocalKafka(tmp_path_factory.mktemp("kafka-home"), _cache_dir(),
                        port=port, controller_port=controller_port, heap="256m")
    yield broker
    broker.stop()


@pytest.fixture()
def bootstrap(kafka: LocalKafka) -> str:
    return kafka.start(timeout=180, progress=_quiet)


def _produce(bootstrap: str, topic: str, value: bytes) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=30000)
    try:
        producer.send(topic, value).get(timeout=60)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)


def _consume_one(bootstrap: str, topic: str) -> bytes | None:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{uuid.uuid4().hex}",
                             auto_offset_reset="earliest", consumer_timeout_ms=30000)
    try:
        for record in consumer:
            return record.value
        return None
    finally:
        consumer.close()


def test_start_returns_bootstrap(kafka: LocalKafka, bootstrap: str) -> None:
    assert bootstrap == f"127.0.0.1:{kafka.port}"
    assert kafka.pid_file.is_file()
    assert (kafka.data_dir / "meta.properties").is_file()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", (kafka.home / "cluster.id").read_text().strip())


def test_status_running_with_pid(kafka: LocalKafka, bootstrap: str) -> None:
    status = kafka.status()
    assert status.running
    assert status.pid == int(kafka.pid_file.read_text())
    assert status.bootstrap == bootstrap
    assert status.version == kafka.version
    argv = cmdline(status.pid)
    assert argv is not None and "kafka.Kafka" in argv and str(kafka.server_properties) in argv


def test_produce_and_consume_roundtrip(bootstrap: str) -> None:
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    payload = f"declaration {uuid.uuid4()}".encode()
    _produce(bootstrap, topic, payload)
    assert _consume_one(bootstrap, topic) == payload


def test_start_again_is_noop(kafka: LocalKafka, bootstrap: str) -> None:
    pid = kafka.status().pid
    began = time.monotonic()
    assert kafka.start(progress=_quiet) == bootstrap
    assert time.monotonic() - began < 10
    # A second object for the same home sees the same broker too.
    other = LocalKafka(kafka.home, kafka.cache_dir, port=kafka.port,
                       controller_port=kafka.controller_port, heap=kafka.heap)
    assert other.start(progress=_quiet) == bootstrap
    assert kafka.status().pid == pid == other.status().pid


def test_stop_ends_that_process_and_data_survives_restart(kafka: LocalKafka, bootstrap: str) -> None:
    topic = f"durable-{uuid.uuid4().hex[:8]}"
    _produce(bootstrap, topic, b"kept")
    pid = kafka.status().pid
    assert pid is not None

    assert kafka.stop() is True
    assert _gone(pid)
    status = kafka.status()
    assert not status.running and status.pid is None
    assert not kafka.pid_file.exists()
    assert kafka.stop() is False

    assert kafka.start(progress=_quiet) == bootstrap
    new_pid = kafka.status().pid
    assert new_pid is not None and new_pid != pid
    assert _consume_one(bootstrap, topic) == b"kept"


def test_stop_when_nothing_runs_returns_false(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "home", _cache_dir(), port=_free_ports(1)[0], controller_port=1)
    assert broker.stop() is False
    assert broker.status().running is False


def test_stop_never_signals_a_foreign_pid(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        broker = LocalKafka(tmp_path, _cache_dir(), port=1, controller_port=2)
        broker.pid_file.write_text(f"{sleeper.pid}\n")
        assert broker.status().running is False
        assert broker.stop() is False
        assert sleeper.poll() is None, "stop() signalled a process that is not our broker"
        assert not broker.pid_file.exists()
    finally:
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait()


def test_broker_that_dies_raises_with_log_tail(tmp_path: Path) -> None:
    port, controller_port = _free_ports(2)
    broker = LocalKafka(tmp_path, _cache_dir(), port=port, controller_port=controller_port, heap="1k")
    with pytest.raises(BrokerError, match="(?s)exited.*Too small"):
        broker.start(timeout=60, progress=_quiet)
    assert not broker.pid_file.exists()
    assert broker.status().running is False


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        broker = LocalKafka(tmp_path, _cache_dir(), port=port, controller_port=_free_ports(1)[0])
        with pytest.raises(BrokerError, match="already in use"):
            broker.start(timeout=30, progress=_quiet)


def test_fetch_reuses_cache_without_maven(kafka: LocalKafka, monkeypatch: pytest.MonkeyPatch) -> None:
    libs = kafka.fetch(progress=_quiet)
    monkeypatch.setenv("PATH", "/nonexistent")
    messages: list[str] = []
    assert kafka.fetch(progress=messages.append) == libs
    assert messages == []
    assert (libs / f"kafka_2.13-{kafka.version}.jar").is_file()
    assert any(p.name.startswith("log4j-core-") for p in libs.iterdir())


def test_config_rendering(tmp_path: Path) -> None:
    text = config.server_properties(port=1234, controller_port=1235, data_dir=tmp_path)
    props = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:1234,CONTROLLER://127.0.0.1:1235"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:1234"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:1235"
    assert props["log.dirs"] == str(tmp_path)
    assert props["offsets.topic.replication.factor"] == "1"
    ids = {config.new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", i) for i in ids)


def test_a_cluster_node_names_every_voter_and_replicates_three_ways(tmp_path: Path) -> None:
    nodes = LocalCluster(tmp_path, tmp_path, 41000, 3).nodes
    assert [(n.port, n.controller_port, n.node_id) for n in nodes] == [(41000, 41001, 1), (41002, 41003, 2),
                                                                        (41004, 41005, 3)]
    node = nodes[1]
    text = config.server_properties(port=node.port, controller_port=node.controller_port, data_dir=tmp_path,
                                    node_id=node.node_id, voters=node.voters, replicas=node.replicas)
    props = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:41001,2@127.0.0.1:41003,3@127.0.0.1:41005"
    assert (props["default.replication.factor"], props["min.insync.replicas"]) == ("3", "2")
    assert props["offsets.topic.replication.factor"] == "3"
    assert {n.cluster_id_file for n in nodes} == {tmp_path / "cluster.id"}


def test_invalid_arguments_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(BrokerError):
        LocalKafka(tmp_path, tmp_path, heap="lots")
    with pytest.raises(BrokerError):
        LocalKafka(tmp_path, tmp_path, version="../4.2.2")
    with pytest.raises(BrokerError):
        LocalKafka(tmp_path, tmp_path, port=5, controller_port=5)


def test_find_broker_prefers_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("_support_kafka", REPO / "tests" / "support" / "kafka.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    bootstrap, cleanup = module.find_broker(tmp_path / "home", tmp_path / "cache")
    assert bootstrap == "127.0.0.1:1"
    cleanup()
