"""The app's Kafka producer: created on first use, once per app, and closed with it."""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app
from kafka import KafkaProducer

from events.codec import ClearanceEvent, encode, message_key
from events.kafka import ensure_topics, make_producer
from events.topics import PRINCIPAL_HEADER
from portal.config import PortalConfig

log = logging.getLogger(__name__)


class EventPublisher:
    """Sends events to the events topic with acks=all and waits until the broker holds them."""

    def __init__(self, config: PortalConfig) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None

    def _ready(self) -> KafkaProducer:
        """The producer, made on first use (bounded waits: a broker that is down fails the request, and
        the next request tries again). Topics are created only once the broker answered."""
        with self._lock:
            if self._producer is None:
                config = self._config
                wait_ms = int(config.publish_timeout_seconds * 1000)
                producer = make_producer(config.kafka_bootstrap_servers, client_id="clearance-portal",
                                         bootstrap_timeout_ms=wait_ms, max_block_ms=wait_ms,
                                         request_timeout_ms=wait_ms, delivery_timeout_ms=wait_ms + 1000)
                try:
                    ensure_topics(config.kafka_bootstrap_servers, {config.events_topic: config.events_partitions})
                except Exception:
                    producer.close(timeout=1)
                    raise
                self._producer = producer
            return self._producer

    def publish(self, events: Sequence[ClearanceEvent], principal: bytes) -> list[str | None]:
        """Send the events, each with the authenticated caller in the `clearance-principal` header (set
        here, never by the client), flush, and return for each None (the broker holds it) or why not."""
        try:
            producer = self._ready()
        except Exception as exc:  # noqa: BLE001 - no broker: every event fails the same way
            log.warning("no Kafka producer: %r", exc)
            return [_failure(exc)] * len(events)
        futures = []
        for event in events:
            try:
                futures.append(producer.send(self._config.events_topic, key=message_key(event), value=encode(event),
                                             headers=[(PRINCIPAL_HEADER, principal)]))
            except Exception as exc:  # noqa: BLE001 - reported per event
                futures.append(exc)
        try:
            producer.flush(timeout=self._config.publish_timeout_seconds)
        except Exception as exc:  # noqa: BLE001 - the futures below say which events made it
            log.warning("flush did not finish: %r", exc)
        return [_outcome(future, self._config.publish_timeout_seconds) for future in futures]

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=5)
                self._producer = None


def _outcome(future: Any, timeout: float) -> str | None:
    if isinstance(future, Exception):
        return _failure(future)
    try:
        future.get(timeout=timeout)
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not known to be on the topic"
        return _failure(exc)


def _failure(exc: Exception) -> str:
    log.warning("event not stored by Kafka: %r", exc)
    return f"not stored by Kafka ({type(exc).__name__}: {exc}); sending it again is safe"


def init_publisher(app: Flask, config: PortalConfig) -> None:
    app.extensions["clearance_publisher"] = EventPublisher(config)


def event_publisher() -> EventPublisher:
    """The current app's publisher."""
    return current_app.extensions["clearance_publisher"]  # type: ignore[no-any-return]


def close_publisher(app: Flask) -> None:
    """Close the app's producer (at shutdown; tests call it in teardown)."""
    app.extensions["clearance_publisher"].close()
