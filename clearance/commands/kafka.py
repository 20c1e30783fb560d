"""`clearance kafka start|stop|status`: the local single-node broker on loopback."""
from __future__ import annotations

import argparse
import sys

from clearance.broker import BrokerError, LocalKafka
from clearance.config import Settings


def local_broker(settings: Settings) -> LocalKafka:
    """The project's local broker, listening where KAFKA_BOOTSTRAP_SERVERS points (a loopback port)."""
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        raise BrokerError(f"KAFKA_BOOTSTRAP_SERVERS={settings.kafka_bootstrap_servers} is not on loopback: "
                          "the local broker only listens on 127.0.0.1")
    return LocalKafka(settings.data_dir / "kafka", settings.kafka_cache_dir, port=int(port),
                      controller_port=int(port) + 1)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("kafka", help="start, stop or inspect the local Kafka broker",
                                 description="The local Apache Kafka broker (KRaft, single node, loopback). "
                                             "Jars come from Maven Central once and are cached.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="fetch if needed, start, and return when the broker answers")
    start.add_argument("--timeout", type=float, default=180.0, help="seconds to wait (default 180)")
    start.set_defaults(handler=_start)
    actions.add_parser("stop", help="stop the broker this project started").set_defaults(handler=_stop)
    actions.add_parser("status", help="say whether the broker runs").set_defaults(handler=_status)


def _start(args: argparse.Namespace, settings: Settings) -> int:
    try:
        bootstrap = local_broker(settings).start(timeout=args.timeout, progress=print)
    except BrokerError as exc:
        print(f"clearance kafka: {exc}", file=sys.stderr)
        return 1
    print(f"Kafka broker answers at {bootstrap}")
    return 0


def _stop(args: argparse.Namespace, settings: Settings) -> int:
    stopped = local_broker(settings).stop()
    print("Kafka broker stopped" if stopped else "no Kafka broker of this project was running")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    status = local_broker(settings).status()
    if status.running:
        print(f"running: pid {status.pid}, {status.bootstrap}, Kafka {status.version}")
        return 0
    print(f"not running (would listen at {status.bootstrap})")
    return 3
