"""`clearance kafka start|stop|status [--nodes N]`: the local broker on loopback, or a local cluster of N."""
from __future__ import annotations

import argparse
import sys

from clearance.broker import BrokerError, LocalKafka
from clearance.broker.cluster import LocalCluster
from clearance.config import Settings


def _loopback_port(settings: Settings) -> int:
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        raise BrokerError(f"KAFKA_BOOTSTRAP_SERVERS={settings.kafka_bootstrap_servers} is not on loopback: "
                          "the local broker only listens on 127.0.0.1")
    return int(port)


def local_broker(settings: Settings) -> LocalKafka:
    """The project's local broker, listening where KAFKA_BOOTSTRAP_SERVERS points (a loopback port)."""
    port = _loopback_port(settings)
    return LocalKafka(settings.data_dir / "kafka", settings.kafka_cache_dir, port=port, controller_port=port + 1)


def local_cluster(settings: Settings, nodes: int) -> LocalCluster:
    """A local cluster of `nodes`, its first node where KAFKA_BOOTSTRAP_SERVERS points."""
    return LocalCluster(settings.data_dir / f"kafka-{nodes}-nodes", settings.kafka_cache_dir,
                        _loopback_port(settings), nodes)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("kafka", help="start, stop or inspect the local Kafka broker",
                                 description="The local Apache Kafka broker (KRaft, loopback): one node, or "
                                             "a cluster of --nodes N (node i on the port of "
                                             "KAFKA_BOOTSTRAP_SERVERS + 2(i-1)). Jars come from Maven "
                                             "Central once and are cached.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="fetch if needed, start, and return when the broker answers")
    start.add_argument("--timeout", type=float, default=180.0, help="seconds to wait (default 180)")
    stop = actions.add_parser("stop", help="stop the broker this project started")
    status = actions.add_parser("status", help="say whether the broker runs")
    for action, handler in ((start, _start), (stop, _stop), (status, _status)):
        action.add_argument("--nodes", type=_nodes, default=1,
                            help="a local cluster of this many nodes (default 1: the single broker)")
        action.set_defaults(handler=handler)


def _nodes(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 9:
        raise argparse.ArgumentTypeError("must be from 1 to 9")
    return value


def _start(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.nodes > 1:
            bootstrap = local_cluster(settings, args.nodes).start(timeout=args.timeout, progress=print)
        else:
            bootstrap = local_broker(settings).start(timeout=args.timeout, progress=print)
    except BrokerError as exc:
        print(f"clearance kafka: {exc}", file=sys.stderr)
        return 1
    print(f"Kafka {'cluster' if args.nodes > 1 else 'broker'} answers at {bootstrap}")
    return 0


def _stop(args: argparse.Namespace, settings: Settings) -> int:
    if args.nodes > 1:
        stopped = local_cluster(settings, args.nodes).stop()
        print("Kafka cluster stopped" if stopped else "no node of this project's cluster was running")
        return 0
    stopped = local_broker(settings).stop()
    print("Kafka broker stopped" if stopped else "no Kafka broker of this project was running")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    statuses = local_cluster(settings, args.nodes).status() if args.nodes > 1 else [local_broker(settings).status()]
    for number, status in enumerate(statuses, start=1):
        name = f"node {number}: " if args.nodes > 1 else ""
        if status.running:
            print(f"{name}running: pid {status.pid}, {status.bootstrap}, Kafka {status.version}")
        else:
            print(f"{name}not running (would listen at {status.bootstrap})")
    return 0 if all(s.running for s in statuses) else 3
