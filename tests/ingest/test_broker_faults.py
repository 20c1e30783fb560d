"""Ingest on a local three-node Kafka cluster (`clearance kafka start --nodes 3`; topics with three
replicas, min.insync.replicas 2): one broker stopped mid-stream and started again, then the whole
cluster stopped and started again, while two workers consume. Every valid event is stored exactly once,
every bad one dead-lettered once, every offset committed, the state equal to one store in order."""
from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timezone

import pytest

from clearance.broker.cluster import LocalCluster
from clearance.config import from_environ
from clearance.simulate import SimConfig, generate
from events.kafka import ensure_topics, make_producer
from tests.conftest import settings_env, truncate
from tests.ingest.test_crash_recovery import assert_stored_exactly, finish, publish_slowly, start_worker
from tests.ingest.test_process import count_stored
from tests.support.pipeline import wait_until

START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def free_port_block(size: int) -> int:
    """A first port from which `size` ports are free (the cluster's client and controller ports)."""
    for base in range(41000, 60000, 97):
        try:
            for port in range(base, base + size):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no block of free ports")


@pytest.fixture
def cluster(tmp_path):  # type: ignore[no-untyped-def]
    nodes = LocalCluster(tmp_path / "kafka", from_environ({}).kafka_cache_dir, free_port_block(6), 3)
    nodes.start(timeout=240, progress=lambda _: None)
    yield nodes
    nodes.stop()


@pytest.mark.slow
@pytest.mark.faults
def test_a_broker_down_then_the_whole_cluster_loses_and_duplicates_nothing(  # type: ignore[no-untyped-def]
        cluster, postgres_url, make_settings) -> None:
    truncate(postgres_url)
    settings = make_settings(postgres_url, kafka_bootstrap_servers=cluster.bootstrap, replication_factor=3,
                             min_insync_replicas=2)
    ensure_topics(cluster.bootstrap, {settings.events_topic: 4, settings.dlq_topic: 1, settings.updates_topic: 4})
    messages = list(generate(SimConfig(seed=2026, count=6_000, start=START, malformed_share=0.01)))
    producer = make_producer(cluster.bootstrap, linger_ms=20, retries=50)
    placed: dict[int, tuple[int, int]] = {}
    envs = [settings_env(settings) | {"CLEARANCE_INSTANCE_ID": f"faults-{name}"} for name in "ab"]
    workers = [start_worker(env) for env in envs]
    try:
        first = threading.Thread(target=publish_slowly, args=(producer, settings.events_topic, messages[:4000], placed))
        first.start()
        wait_until(lambda: count_stored(postgres_url) > 1000, 120, "ingest under way")
        cluster.node(2).stop()  # one of three: writes with acks=all go on (two in sync)
        time.sleep(8)
        cluster.node(2).start(timeout=120, progress=lambda _: None)
        first.join()
        wait_until(lambda: count_stored(postgres_url) > 2500, 180, "ingest went on")
        cluster.stop()  # every broker: the workers wait for it
        time.sleep(5)
        cluster.start(timeout=240, progress=lambda _: None)
        rest = {}
        publish_slowly(producer, settings.events_topic, messages[4000:], rest)
        placed.update({i + 4000: where for i, where in rest.items()})
        dead = [worker for worker in workers if worker.poll() is not None]
        assert not dead, "a worker died: " + " / ".join(w.stderr.read().decode()[-3000:] for w in dead if w.stderr)
    finally:
        producer.close()
        finish(workers, envs)
    assert_stored_exactly(messages, placed, settings, postgres_url)
