"""What an ingest worker is told (ingest.runner.IngestWorker): the entry point (`clearance ingest`,
clearance.config.ingest_settings) fills it from the environment; nothing in `ingest` reads it."""
from __future__ import annotations

from dataclasses import dataclass

from events import topics


@dataclass(frozen=True)
class IngestSettings:
    kafka_bootstrap_servers: str
    events_topic: str = topics.EVENTS_TOPIC
    updates_topic: str = topics.UPDATES_TOPIC
    dlq_topic: str = topics.DLQ_TOPIC
    group_id: str = "clearance-ingest"
    instance_id: str | None = None  # static group membership
    session_seconds: float = 10.0  # a member silent this long is out of the group: its partitions move
    batch_size: int = 2000  # records
    batch_seconds: float = 0.1  # the longest a batch stays open
    reach_cache: int = 20000  # containers whose reach is kept between batches
    dlq_run_limit: int = 1000  # dead letters in a row before the worker stops to be looked at
    max_message_bytes: int = 65536
    metrics_port: int | None = None  # /metrics, /healthz, /readyz (ingest.metrics_server); 0: any free port
    metrics_host: str = "127.0.0.1"
