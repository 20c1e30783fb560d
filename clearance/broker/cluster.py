"""A local Kafka cluster: N combined broker+controller nodes on loopback, from the same Maven jars as the
single local broker, in ``home/node-1`` … ``home/node-N``.

Node i listens for clients on ``port + 2(i-1)`` and for the controller quorum on the port after it, so a
three-node cluster on 39092 takes 39092–39097. All nodes are voters of one static quorum and share one
cluster id; topics get the cluster's size as default replication factor, with min.insync.replicas 2 from
three nodes on. Stopping one node of three leaves a working cluster: what the fault tests do.
"""
from __future__ import annotations

import threading
from pathlib import Path

from . import config
from .errors import BrokerError
from .local import HOST, BrokerStatus, LocalKafka, Progress
from .proc import write_atomic


class LocalCluster:
    def __init__(self, home: Path, cache_dir: Path, port: int, nodes: int, heap: str = "384m") -> None:
        if nodes < 1:
            raise BrokerError("a cluster needs at least one node")
        self.home = Path(home).expanduser().resolve()
        ports = [(port + 2 * i, port + 2 * i + 1) for i in range(nodes)]
        voters = ",".join(f"{i + 1}@{HOST}:{controller}" for i, (_, controller) in enumerate(ports))
        self.nodes = [LocalKafka(self.home / f"node-{i + 1}", cache_dir, client, controller, heap=heap,
                                 node_id=i + 1, voters=voters, replicas=nodes,
                                 cluster_id_file=self.home / "cluster.id")
                      for i, (client, controller) in enumerate(ports)]

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    def start(self, timeout: float = 180.0, progress: Progress = print) -> str:
        """Start every node that is not running, all at once (a node answers only once a majority of the
        quorum is up), and return the cluster's bootstrap list when each answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        cluster_id = self.home / "cluster.id"
        if not cluster_id.exists():
            write_atomic(cluster_id, config.new_cluster_id() + "\n")
        self.nodes[0].fetch(progress)  # once, before the nodes start in parallel
        errors: list[BaseException] = []

        def start(node: LocalKafka) -> None:
            try:
                node.start(timeout=timeout, progress=progress)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        threads = [threading.Thread(target=start, args=(node,)) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            self.stop()
            raise BrokerError(f"the local cluster did not start: {errors[0]}")
        return self.bootstrap

    def stop(self) -> bool:
        """Stop every node, all at once (one by one, the last would wait out its controlled shutdown with
        no quorum left to answer it); True when one was running."""
        stopped: list[bool] = []
        threads = [threading.Thread(target=lambda n=node: stopped.append(n.stop())) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return any(stopped)

    def status(self) -> list[BrokerStatus]:
        return [node.status() for node in self.nodes]

    def node(self, number: int) -> LocalKafka:
        """Node `number` (from 1), to stop and start on its own."""
        return self.nodes[number - 1]
