"""Reading the change feed: every portal process reads the whole of CLEARANCE_UPDATES_TOPIC (no consumer
group) from its end, keeps the newest version per container, and hands each newer state on.

The versions kept are those of the LATEST_KEPT containers updated last, not of every container ever
updated: that memory grew with the port's history (8 MiB in a 30-minute soak's 75,000 containers, and
without end). A container forgotten and then announced again in an older version (a replayed batch) is
handed on once more; every receiver keeps the highest version it has (static/js: container, list, alerts).

An update whose `visits` is null stands in for a state too large for the topic (ingest.change_feed): it is
handed on with visits None, and the receiver takes the state from the database."""
from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

log = logging.getLogger(__name__)

Visits = list[dict[str, Any]] | None  # None: too large for the feed, in the database
Update = Callable[[str, int, Visits], None]
LATEST_KEPT = 100_000  # containers whose newest version is kept: about 18 MiB


class FeedReader:
    """`on_handed`, when given, is called with the Kafka timestamp (ms) of each message any update of which
    was handed on."""

    def __init__(self, bootstrap: str, topic: str, on_update: Update,
                 on_handed: Callable[[int | None], None] | None = None, kept: int = LATEST_KEPT) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.on_update = on_update
        self.on_handed = on_handed
        self.kept = kept
        self.latest: OrderedDict[str, int] = OrderedDict()  # container -> newest version, updated last at the end
        self.running = True
        self.ready = False  # assigned and positioned at the end: updates from now on are seen
        self.positions: dict[int, int] = {}  # partition -> the next offset read (for /metrics)

    def run(self) -> None:
        """Consume until `stop()`; survives a broker restart (kafka-python reconnects)."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                 client_id="clearance-portal-feed", fetch_max_wait_ms=10)
        try:
            self._assign(consumer)
            while self.running:
                for batch in consumer.poll(timeout_ms=200).values():
                    for record in batch:
                        self.positions[record.partition] = record.offset + 1
                        if self.dispatch(record.value) and self.on_handed is not None:
                            self.on_handed(record.timestamp)
        finally:
            consumer.close()

    def stop(self) -> None:
        self.running = False

    def dispatch(self, value: bytes | None) -> bool:
        """Hand on each update of one feed message that is newer than what this process has seen;
        returns whether any was. Never raises: a message, or an update in it, that cannot be read, or
        that `on_update` fails on (a RecursionError in python-socketio included), is logged and dropped,
        and the next one is read as usual. One message must not end this process's live updates."""
        handed = False
        for container_no, version, visits in _readable(value):
            handed = self._hand_on(container_no, version, visits) or handed
        return handed

    def _hand_on(self, container_no: str, version: int, visits: Visits) -> bool:
        if self.latest.get(container_no, 0) >= version:
            return False
        self.latest[container_no] = version
        self.latest.move_to_end(container_no)
        if len(self.latest) > self.kept:
            self.latest.popitem(last=False)
        try:
            self.on_update(container_no, version, visits)
        except Exception as exc:  # noqa: BLE001 - see dispatch
            log.error("change-feed update of %.40r version %s dropped: %s: %s", container_no, version,
                      type(exc).__name__, str(exc)[:200], exc_info=not isinstance(exc, RecursionError))
            return False
        return True

    def _assign(self, consumer: KafkaConsumer) -> None:
        while self.running:
            partitions = consumer.partitions_for_topic(self.topic)
            if partitions:
                assigned = [TopicPartition(self.topic, p) for p in sorted(partitions)]
                consumer.assign(assigned)
                consumer.seek_to_end(*assigned)
                for tp in assigned:
                    self.positions[tp.partition] = consumer.position(tp)  # the end now: "ready" means it
                self.ready = True
                log.info("reading change feed %s (%s partitions)", self.topic, len(assigned))
                return
            time.sleep(0.5)


def _readable(value: bytes | None) -> list[tuple[str, int, Visits]]:
    """The (container_no, version, visits) updates of a feed message, `{"updates": [...]}` or the one
    update of earlier releases' workers; what has not that shape is logged and left out."""
    try:
        message = json.loads(value)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - not JSON, nested too deep for the parser, not text, ...
        log.error("unreadable change-feed message dropped: %s: %s", type(exc).__name__, str(exc)[:200])
        return []
    entries = message.get("updates", [message]) if type(message) is dict else None
    if type(entries) is not list:
        log.error("change-feed message of the wrong shape dropped: %s", type(message).__name__)
        return []
    updates = [_update(entry) for entry in entries]
    return [update for update in updates if update is not None]


def _update(entry: object) -> tuple[str, int, Visits] | None:
    """One update's (container_no, version, visits), or None (logged) when it has not that shape."""
    if type(entry) is not dict:
        log.error("change-feed update of the wrong shape dropped: %s", type(entry).__name__)
        return None
    container_no, version, visits = entry.get("container_no"), entry.get("version"), entry.get("visits")
    if type(container_no) is not str or type(version) is not int or (visits is not None and type(visits) is not list):
        log.error("change-feed update of the wrong shape dropped: container_no %s, version %s, visits %s",
                  type(container_no).__name__, type(version).__name__, type(visits).__name__)
        return None
    return container_no, version, visits
