"""Pipeline progress seen from outside the workers: what the database holds (and how fast it grows), what
the dead-letter topic holds and why its newest message is there, how far the ingest group lags behind the
events topic, and how many live clients the portal has (from the file it writes, portal/live/presence.py)."""
from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clearance.broker.proc import port_open
from clearance.config import Settings
from events import topics
from models import Container, StoredEvent

log = logging.getLogger(__name__)
BROKER_MS = 5000  # at most for the broker's end offsets

RATE_WINDOW_SECONDS = 10.0
REASON_WIDTH = 60


@dataclass
class PipelineStatus:
    stored: int
    containers: int
    dead_lettered: int | None
    lag: int | None  # None while the broker cannot say (group coordinator still loading, …)
    stored_per_second: float | None = None  # None until two readings are apart
    latest_dead_letter: str | None = None  # the `reason` header of the newest dead letter
    live_clients: int | None = None  # None while no portal has written a fresh count

    def line(self) -> str:
        rate = "" if self.stored_per_second is None else f" ({self.stored_per_second:,.0f}/s)"
        # the reason goes last: a terminal too narrow for the line loses it first
        parts = [f"stored {self.stored:,} events{rate}", f"{self.containers:,} containers",
                 f"lag {_count(self.lag)}", f"live clients {_count(self.live_clients)}",
                 f"dead-lettered {_count(self.dead_lettered)}" + _reason(self.latest_dead_letter)]
        return " · ".join(parts)


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _reason(reason: str | None) -> str:
    if not reason:
        return ""
    flat = " ".join(reason.split())
    return f" (latest: {flat[:REASON_WIDTH - 1] + '…' if len(flat) > REASON_WIDTH else flat})"


class PipelineMonitor:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        from portal.live.presence import PRESENCE_FILE  # the portal's file; imported only by `clearance run`

        self.settings = settings
        self.sessions = sessions
        self.presence_file = Path(settings.data_dir) / PRESENCE_FILE
        bootstrap = settings.kafka_bootstrap_servers
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="clearance-monitor")
        self.offsets = KafkaConsumer(bootstrap_servers=bootstrap, client_id="clearance-monitor",
                                     enable_auto_commit=False)
        self.dead_letters = KafkaConsumer(bootstrap_servers=bootstrap, client_id="clearance-monitor-dlq",
                                          enable_auto_commit=False, consumer_timeout_ms=1000)
        self.readings: deque[tuple[float, int]] = deque()
        self.latest_reason: tuple[int, str | None] = (0, None)  # (dead letters when read, reason)

    def status(self) -> PipelineStatus:
        from portal.live.presence import read_presence

        with self.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
            containers = session.scalar(select(func.count()).select_from(Container)) or 0
        status = PipelineStatus(stored, containers, None, None, self._rate(stored),
                                live_clients=read_presence(self.presence_file))
        if not self._broker_answers():
            return status  # the broker's figures unknown ("?"), rather than a status line that hangs
        try:
            dlq_ends = self._ends(self.settings.dlq_topic)
            status.dead_lettered = sum(dlq_ends.values())
            status.latest_dead_letter = self._latest_reason(dlq_ends)
            status.lag = self._lag()
        except KafkaError as exc:
            log.debug("broker figures unavailable: %s", exc)
        return status

    def stored_and_lag(self) -> tuple[int, int | None]:
        """Events stored and the ingest group's lag only: cheaper than status() (no dead-letter read)."""
        with self.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
        if not self._broker_answers():
            return stored, None
        try:
            return stored, self._lag()
        except KafkaError as exc:
            log.debug("lag unavailable: %s", exc)
            return stored, None

    def _rate(self, stored: int) -> float | None:
        now = time.monotonic()
        self.readings.append((now, stored))
        while now - self.readings[0][0] > RATE_WINDOW_SECONDS:
            self.readings.popleft()
        then, before = self.readings[0]
        return (stored - before) / (now - then) if now - then >= 1.0 else None

    def _broker_answers(self) -> bool:
        """Whether the first bootstrap broker takes a connection: kafka-python's calls wait for a broker
        that is gone (minutes, on the way out of `clearance run` after `clearance kafka stop`)."""
        host, _, port = self.settings.kafka_bootstrap_servers.split(",")[0].rpartition(":")
        return port_open(host or "127.0.0.1", int(port))

    def _ends(self, topic: str) -> dict[TopicPartition, int]:
        partitions = self.offsets.partitions_for_topic(topic) or set()
        return dict(self.offsets.end_offsets([TopicPartition(topic, p) for p in partitions], timeout_ms=BROKER_MS))

    def _latest_reason(self, ends: dict[TopicPartition, int]) -> str | None:
        """The reason header of the newest dead letter (read again only when there are new ones)."""
        total = sum(ends.values())
        if total == self.latest_reason[0]:
            return self.latest_reason[1]
        last_offsets = {tp: end - 1 for tp, end in ends.items() if end > 0}
        self.dead_letters.assign(list(last_offsets))
        for tp, offset in last_offsets.items():
            self.dead_letters.seek(tp, offset)
        newest = None
        for record in self.dead_letters:  # stops after consumer_timeout_ms without a record
            if newest is None or record.timestamp > newest.timestamp:
                newest = record
            last_offsets.pop(TopicPartition(record.topic, record.partition), None)
            if not last_offsets:
                break
        reason = dict(newest.headers).get(topics.DLQ_REASON, b"").decode(errors="replace") if newest else None
        self.latest_reason = (total, reason or self.latest_reason[1])
        return self.latest_reason[1]

    def _lag(self) -> int:
        ends = self._ends(self.settings.events_topic)
        committed = self.admin.list_group_offsets(self.settings.group_id).get(self.settings.group_id, {})
        return sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())

    def close(self) -> None:
        self.admin.close()
        self.offsets.close()
        self.dead_letters.close()
