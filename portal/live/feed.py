"""Reading the change feed: every portal process reads the whole of CLEARANCE_UPDATES_TOPIC (no consumer
group) from its end, keeps the newest version per container, and hands each newer state on."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

log = logging.getLogger(__name__)

Update = Callable[[str, int, list[dict[str, Any]]], None]


class FeedReader:
    """`on_handed`, when given, is called with the Kafka timestamp (ms) of each message handed on."""

    def __init__(self, bootstrap: str, topic: str, on_update: Update,
                 on_handed: Callable[[int | None], None] | None = None) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.on_update = on_update
        self.on_handed = on_handed
        self.latest: dict[str, int] = {}
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
        """Hand one feed message on if it is newer than what this process has seen; returns whether.
        Never raises: a message that cannot be read, or that `on_update` fails on (a RecursionError in
        python-socketio included), is logged and dropped, and the next one is read as usual. One
        message must not end this process's live updates."""
        update = _readable(value)
        if update is None:
            return False
        container_no, version, visits = update
        if self.latest.get(container_no, 0) >= version:
            return False
        self.latest[container_no] = version
        try:
            self.on_update(container_no, version, visits)
        except Exception as exc:  # noqa: BLE001 - see the docstring
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


def _readable(value: bytes | None) -> tuple[str, int, list[dict[str, Any]]] | None:
    """(container_no, version, visits) of a feed message, or None (logged) when it has not that shape."""
    try:
        update = json.loads(value)  # type: ignore[arg-type]
        container_no, version, visits = update["container_no"], update["version"], update["visits"]
    except Exception as exc:  # noqa: BLE001 - not JSON, nested too deep for the parser, not an object, ...
        log.error("unreadable change-feed message dropped: %s: %s", type(exc).__name__, str(exc)[:200])
        return None
    if type(container_no) is not str or type(version) is not int or type(visits) is not list:
        log.error("change-feed message of the wrong shape dropped: container_no %s, version %s, visits %s",
                  type(container_no).__name__, type(version).__name__, type(visits).__name__)
        return None
    return container_no, version, visits
