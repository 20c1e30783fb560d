"""Fault 2 on a three-broker local cluster (replication factor 3, two in sync for a write): one broker
stopped mid-stream and started again, then the whole cluster, with a SIGTERM to a worker while no broker
answers. Afterwards every valid event is stored exactly once, the DLQ holds exactly the bad records, the
state equals one in-order store, the client has converged, and no process logged a stack (a connection
a stopped broker reset is one line: clearance.kafka_logging)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clearance.broker.cluster import LocalCluster
from clearance.config import from_environ
from tests.faults.checks import assert_all
from tests.faults.conftest import MakeRig
from tests.faults.scenarios import Measured, broker_and_cluster_down
from tests.support.http import free_port_block

BROKERS = 3


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    started = LocalCluster(tmp_path / "kafka", from_environ({}).kafka_cache_dir, free_port_block(2 * BROKERS),
                           BROKERS)
    started.start(timeout=240, progress=lambda _: None)
    yield started
    started.stop()


@pytest.mark.slow
@pytest.mark.faults
def test_a_broker_and_then_the_cluster_go_away_and_nothing_is_lost(make_rig: MakeRig, cluster: LocalCluster,
                                                                    record_property) -> None:  # type: ignore[no-untyped-def]
    rig = make_rig(publish_pause=0.6, kafka_bootstrap_servers=cluster.bootstrap, replication_factor=BROKERS,
                   min_insync_replicas=BROKERS - 1)
    measured = Measured()
    broker_and_cluster_down(rig, cluster, measured)
    record_property("measured", measured)
    print(f"\nfaults measured: {measured}")
    rig.finish()
    assert not measured.slow_exits(), f"SIGTERM took more than 5 s: {measured.slow_exits()}"
    assert_all(rig)
