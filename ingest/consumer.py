"""The ingest worker's group consumer, as each worker makes it (and makes again after a stuck rejoin)."""
from __future__ import annotations

from kafka import KafkaConsumer

from ingest.settings import IngestSettings

METADATA_MAX_AGE_MS = 30_000  # notice new partitions within half a minute


def group_consumer(settings: IngestSettings) -> KafkaConsumer:
    """A member of settings.group_id that commits by hand, from the earliest offset when none is."""
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, group_id=settings.group_id,
        enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=settings.batch_size,
        client_id="clearance-ingest", group_instance_id=settings.instance_id,
        # a crashed member's partitions move after this (kafka-python's default: 45 s); a survivor
        # learns of the rebalance at its next heartbeat
        session_timeout_ms=int(settings.session_seconds * 1000),
        heartbeat_interval_ms=int(settings.session_seconds * 1000 / 5),
        metadata_max_age_ms=METADATA_MAX_AGE_MS)
