"""The change feed: after each database commit, the new state of every container the batch changed (and
of those a replayed batch touched) goes to CLEARANCE_UPDATES_TOPIC. Portal processes read the whole feed
and push to their browsers. At least once: consumers keep the highest `version` they have seen per
container and drop the rest, so neither the order of messages nor their partition matters.

A message carries the updates of many containers, `{"updates": [{"container_no", "version", "visits"},
…]}`, up to MESSAGE_BYTES (a larger state goes alone), keyed by its first container: one Kafka `send` a
container cost a worker a sixth of its time (BENCHMARKS.md). Readers take the one-container form
`{"container_no", "version", "visits"}` too, which workers of earlier releases send.

A state too large for the topic (a container with a long history, or events with large details; the
broker takes 1 MiB) goes as a stand-in, `"visits": null`: readers take that container's state from the
database. Asking the broker again would stop the worker on that one container."""
from __future__ import annotations

import json
import logging
from typing import Any

from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from events import jsontext
from events.kafka import refused_as_too_large
from models import Container, ContainerVisit
from models.operations import StoreResult

MESSAGE_BYTES = 256 * 1024  # a feed message's updates, at most (the producer's limit is 2 MiB, the broker's 1)
Update = tuple[str, int, list[dict[str, Any]]]  # (container_no, version, visits)
log = logging.getLogger(__name__)


def update_message(container_no: str, version: int, visits: list[dict[str, Any]]) -> bytes:
    """One container's update, as it stands in a feed message (alone, the form of earlier releases)."""
    return jsontext.dumps_bytes({"container_no": container_no, "version": version, "visits": visits})


def feed_messages(updates: list[Update], limit: int = MESSAGE_BYTES) -> list[tuple[bytes, bytes]]:
    """(key, value) of the feed messages carrying these updates, in order: as many updates to a
    message as fit in `limit` bytes, at least one."""
    messages: list[tuple[bytes, bytes]] = []
    first, size = "", 0
    parts: list[bytes] = []
    for container_no, version, visits in updates:
        part = update_message(container_no, version, visits)
        if parts and size + len(part) > limit:
            messages.append(_message(first, parts))
            parts, size = [], 0
        if not parts:
            first = container_no
        parts.append(part)
        size += len(part) + 1
    if parts:
        messages.append(_message(first, parts))
    return messages


def _message(first: str, parts: list[bytes]) -> tuple[bytes, bytes]:
    return first.encode(), b'{"updates":[' + b",".join(parts) + b"]}"


def stand_in(value: bytes) -> bytes:
    """The message sent instead of a feed message the topic refused as too large: each of its updates
    with `"visits": null`, which tells readers to take the container's state from the database."""
    parts = [jsontext.dumps_bytes({"container_no": u["container_no"], "version": u["version"], "visits": None})
             for u in json.loads(value)["updates"]]
    return b'{"updates":[' + b",".join(parts) + b"]}"


class ChangeFeed:
    def __init__(self, producer: KafkaProducer, topic: str, sessions: sessionmaker[Session]) -> None:
        self.producer = producer
        self.topic = topic
        self.sessions = sessions

    def publish(self, result: StoreResult) -> int:
        """Send the batch's container states and wait until the broker holds them; returns how many."""
        updates = [(c, result.changed_containers[c], visits) for c, visits in result.states.items()]
        updates += self._current(sorted(result.touched))
        messages = feed_messages(updates)
        futures = [self.producer.send(self.topic, key=key, value=value) for key, value in messages]
        refused = [m for m, too_large in zip(messages, refused_as_too_large(self.producer, futures)) if too_large]
        for key, value in refused:
            log.warning("change-feed message of %s bytes (%s…) too large for %s; sent a stand-in",
                        len(value), key.decode()[:40], self.topic)
        stand_ins = [self.producer.send(self.topic, key=key, value=stand_in(value)) for key, value in refused]
        if any(refused_as_too_large(self.producer, stand_ins)):
            raise MessageSizeTooLargeError(f"{self.topic} refused even a stand-in")
        return len(updates)

    def _current(self, container_nos: list[str]) -> list[Update]:
        """The stored version and visits of these containers, in two queries whatever their number."""
        if not container_nos:
            return []
        with self.sessions() as session:
            versions = dict(session.execute(select(Container.container_no, Container.version)
                                            .where(Container.container_no.in_(container_nos))).all())
            visits: dict[str, list[dict[str, Any]]] = {c: [] for c in versions}
            rows = session.execute(select(ContainerVisit.container_no, ContainerVisit.state)
                                   .where(ContainerVisit.container_no.in_(list(versions)))
                                   .order_by(ContainerVisit.container_no, ContainerVisit.started_at,
                                             ContainerVisit.visit_key))
            for container_no, state in rows:
                visits[container_no].append(state)
        return [(c, versions[c], visits[c]) for c in container_nos if c in versions]
