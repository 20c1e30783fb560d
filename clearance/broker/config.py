"""Configuration files for the local KRaft broker (one node, or each node of a local cluster).

Renders ``server.properties`` and a log4j2 ``.properties`` file and creates
Kafka-style cluster ids, all without running any Java.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

#: Node id of the single combined broker/controller.
NODE_ID = 1


def _escape(value: str) -> str:
    """Escape a value for a Java ``.properties`` file."""
    return value.replace("\\", "\\\\")


def server_properties(*, port: int, controller_port: int, data_dir: Path, host: str = "127.0.0.1",
                      node_id: int = NODE_ID, voters: str | None = None, replicas: int = 1) -> str:
    """Return ``server.properties`` for a combined broker+controller on loopback.

    The quorum uses a static voter list (``controller.quorum.voters``: this node alone, or `voters`
    for a cluster), so the storage must be formatted without ``--standalone``. `replicas` is the
    cluster's size: the default replication factor of topics, with ``min.insync.replicas`` 2 from
    three nodes on (one node may be down and writes with acks=all still succeed).
    """
    min_isr = 2 if replicas >= 3 else 1
    props: list[tuple[str, object]] = [
        ("process.roles", "broker,controller"),
        ("node.id", node_id),
        ("listeners", f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}"),
        ("advertised.listeners", f"PLAINTEXT://{host}:{port}"),
        ("controller.listener.names", "CONTROLLER"),
        ("inter.broker.listener.name", "PLAINTEXT"),
        ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        ("controller.quorum.voters", voters or f"{node_id}@{host}:{controller_port}"),
        ("log.dirs", _escape(str(data_dir))),
        ("num.partitions", 1),
        ("default.replication.factor", replicas),
        ("min.insync.replicas", min_isr),
        ("offsets.topic.replication.factor", replicas),
        ("offsets.topic.num.partitions", 1),
        ("transaction.state.log.replication.factor", replicas),
        ("transaction.state.log.min.isr", min_isr),
        ("share.coordinator.state.topic.replication.factor", replicas),
        ("share.coordinator.state.topic.min.isr", min_isr),
        ("group.initial.rebalance.delay.ms", 0),
        ("auto.create.topics.enable", "true"),
        ("log.retention.hours", 168),
        ("log.segment.bytes", 64 * 1024 * 1024),
        ("num.network.threads", 2),
        ("num.io.threads", 2),
        ("num.recovery.threads.per.data.dir", 1),
    ]
    lines = ["# Written by clearance.broker; rewritten on every start.", *(f"{k}={v}" for k, v in props)]
    return "\n".join(lines) + "\n"


def log4j2_properties(log_dir: Path) -> str:
    """Return a log4j2 properties configuration.

    INFO and above go to ``<log_dir>/server.log`` (rolled at 10 MB, 3 kept);
    WARN and above also go to the console, which the launcher redirects to
    ``broker.out`` so start-up failures show up there.
    """
    logdir = _escape(str(log_dir)).replace("$", "$$")
    return f"""\
# Written by clearance.broker; rewritten on every start.
status = warn
name = clearance-kafka
# Let Kafka log its own shutdown: no log4j shutdown hook racing it (files flush per line).
shutdownHook = disable
property.logdir = {logdir}

appender.console.type = Console
appender.console.name = CONSOLE
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = WARN

appender.server.type = RollingFile
appender.server.name = SERVER
appender.server.fileName = ${{logdir}}/server.log
appender.server.filePattern = ${{logdir}}/server.log.%i
appender.server.layout.type = PatternLayout
appender.server.layout.pattern = [%d] %p %m (%c)%n
appender.server.policies.type = Policies
appender.server.policies.size.type = SizeBasedTriggeringPolicy
appender.server.policies.size.size = 10MB
appender.server.strategy.type = DefaultRolloverStrategy
appender.server.strategy.max = 3

rootLogger.level = INFO
rootLogger.appenderRef.console.ref = CONSOLE
rootLogger.appenderRef.server.ref = SERVER

logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apachekafka.name = org.apache.kafka
logger.apachekafka.level = INFO
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def new_cluster_id() -> str:
    """Return a fresh cluster id in Kafka's format (22-char URL-safe base64 of 16 bytes).

    Like Kafka's own generator it never returns an id starting with ``-``
    nor one of the reserved all-zero / ``...01`` ids.
    """
    while True:
        raw = uuid.uuid4().bytes
        text = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
        if not text.startswith("-") and int.from_bytes(raw, "big") > 1:
            return text


def cluster_id_from_meta(meta_properties: Path) -> str | None:
    """Read ``cluster.id`` from a formatted log dir's ``meta.properties``."""
    try:
        for line in meta_properties.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "cluster.id":
                return value.strip() or None
    except OSError:
        return None
    return None
