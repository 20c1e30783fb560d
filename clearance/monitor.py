"""Pipeline progress seen from outside the workers: what the database holds, what the dead-letter topic
holds, and how far the ingest group lags behind the events topic."""
from __future__ import annotations

from dataclasses import dataclass

import logging

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clearance.config import Settings
from models import Container, StoredEvent

log = logging.getLogger(__name__)


@dataclass
class PipelineStatus:
    stored: int
    containers: int
    dead_lettered: int | None
    lag: int | None  # None while the broker cannot say (group coordinator still loading, …)

    def line(self) -> str:
        dead = "?" if self.dead_lettered is None else f"{self.dead_lettered:,}"
        lag = "?" if self.lag is None else f"{self.lag:,}"
        return f"stored {self.stored:,} events on {self.containers:,} containers · dead-lettered {dead} · lag {lag}"


class PipelineMonitor:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers,
                                      client_id="clearance-monitor")
        self.offsets = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers,
                                     client_id="clearance-monitor")

    def status(self) -> PipelineStatus:
        with self.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
            containers = session.scalar(select(func.count()).select_from(Container)) or 0
        try:
            dead, lag = self._end_total(self.settings.dlq_topic), self._lag()
        except KafkaError as exc:
            log.debug("broker figures unavailable: %s", exc)
            dead = lag = None
        return PipelineStatus(stored, containers, dead, lag)

    def _end_total(self, topic: str) -> int:
        partitions = self.offsets.partitions_for_topic(topic) or set()
        ends = self.offsets.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())

    def _lag(self) -> int:
        topic = self.settings.events_topic
        partitions = [TopicPartition(topic, p) for p in self.offsets.partitions_for_topic(topic) or ()]
        ends = self.offsets.end_offsets(partitions)
        committed = self.admin.list_group_offsets(self.settings.group_id).get(self.settings.group_id, {})
        return sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())

    def close(self) -> None:
        self.admin.close()
        self.offsets.close()
