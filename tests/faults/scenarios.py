"""The faults, each played on a running rig while the stream plays, each returning what it measured.
A SIGTERM is sent to a process in the worst state each fault leaves it in, and must end it within 5 s."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from clearance.broker.cluster import LocalCluster
from tests.faults.rig import Rig

PROMPT_EXIT = 5.0  # seconds a SIGTERM may take, in every state


@dataclass
class Measured:
    pauses_after_crash: list[float] = field(default_factory=list)
    sigterm_seconds: dict[str, float] = field(default_factory=dict)
    reconnects: int = 0

    def sigterm(self, what: str, status: int, took: float) -> None:
        assert status == 0, f"SIGTERM {what}: exit status {status}"
        self.sigterm_seconds[what] = round(took, 2)

    def slow_exits(self) -> dict[str, float]:
        return {what: took for what, took in self.sigterm_seconds.items() if took > PROMPT_EXIT}


def workers_killed(rig: Rig, measured: Measured, kills: int) -> None:
    """kill -9 the workers in turn, each at a random moment while storing; the killed one comes back
    after its partitions moved (a rebalance each way). Then SIGTERM one while the group rebalances."""
    for kill in range(kills):
        rig.wait_for_progress()
        time.sleep(rig.rng.uniform(0.2, 1.5))
        victim = kill % 2
        measured.pauses_after_crash.append(round(rig.crash_pause(victim), 1))
        rig.workers[victim].start()
    rig.workers[kills % 2].wait_for_log("assigned")
    time.sleep(0.5)  # the returned worker is joining: the group is rebalancing
    measured.sigterm("a worker in a rebalance", *rig.workers[0].terminate(timeout=30))
    rig.workers[0].start()


def database_away(rig: Rig, measured: Measured, seconds: float) -> None:
    """The database unreachable for `seconds`: the portal answers 503 with its message meanwhile, the
    workers wait; a SIGTERM during it ends a worker at once, which then waits for the database too."""
    assert rig.proxy is not None, "a rig with a relay in front of its database"
    rig.wait_for_progress()
    rig.proxy.cut()
    time.sleep(3)  # the open batches fail and retry
    before = rig.committed()
    measured.sigterm("a worker during a database outage", *rig.workers[1].terminate(timeout=30))
    rig.workers[1].start()
    time.sleep(seconds / 2)
    status, body = rig.get("/api/v1/containers")
    assert status == 503 and "database" in str(body.get("message", "")).lower(), (status, body)
    time.sleep(seconds / 2 - 3)
    assert all(worker.alive for worker in rig.workers), rig.outputs()
    assert rig.committed() == before, "offsets committed of what could not be stored"
    rig.proxy.start()
    rig.wait_for_progress(timeout=60)
    assert rig.get("/api/v1/containers")[0] == 200


def portal_killed(rig: Rig, measured: Measured) -> None:
    """kill -9 the portal the live client is on: it reconnects through nginx to the other. The killed
    one comes back; then a SIGTERM to the serving one with its client connected, and back again."""
    assert rig.watcher is not None
    for kill in (True, False):
        port = rig.serving_portal()
        connects = rig.watcher.connects
        if kill:
            rig.portals[port].kill()
        else:
            measured.sigterm("a portal with a live client", *rig.portals[port].terminate(timeout=30))
        deadline = time.monotonic() + 60
        while rig.watcher.connects == connects:
            assert time.monotonic() < deadline, "the live client did not reconnect through nginx"
            time.sleep(0.2)
        measured.reconnects += 1
        assert rig.serving_portal() != port
        rig.restart_portal(port)


def broker_and_cluster_down(rig: Rig, cluster: LocalCluster, measured: Measured) -> None:
    """One broker of three stopped mid-stream and started again (writes go on: two in sync), then every
    broker; a SIGTERM while the whole cluster is away ends a worker at once."""
    rig.wait_for_progress()
    cluster.node(2).stop()
    rig.wait_for_progress(timeout=120)  # stored with a broker away
    cluster.node(2).start(timeout=120, progress=lambda _: None)
    rig.wait_for_progress()
    cluster.stop()
    time.sleep(3)
    measured.sigterm("a worker with the cluster away", *rig.workers[0].terminate(timeout=30))
    rig.workers[0].start()
    time.sleep(5)
    cluster.start(timeout=240, progress=lambda _: None)
    rig.wait_for_progress(timeout=180)
