"""The change feed: after each database commit, the new state of every container the batch changed (and
of those a replayed batch touched) goes to CLEARANCE_UPDATES_TOPIC, keyed by container. Portal
processes read the whole feed and push to their browsers. At least once: consumers keep the highest
`version` they have seen per container and drop the rest."""
from __future__ import annotations

from typing import Any

from kafka import KafkaProducer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from events import jsontext
from models import Container, ContainerVisit
from models.operations import StoreResult


def update_message(container_no: str, version: int, visits: list[dict[str, Any]]) -> bytes:
    """The value of one change-feed message."""
    return jsontext.dumps_bytes({"container_no": container_no, "version": version, "visits": visits})


class ChangeFeed:
    def __init__(self, producer: KafkaProducer, topic: str, sessions: sessionmaker[Session]) -> None:
        self.producer = producer
        self.topic = topic
        self.sessions = sessions

    def publish(self, result: StoreResult) -> int:
        """Send the batch's container states and wait until the broker holds them; returns how many."""
        messages = [(c, result.changed_containers[c], visits) for c, visits in result.states.items()]
        messages += self._current(sorted(result.touched))
        futures = [self.producer.send(self.topic, key=c.encode(), value=update_message(c, v, visits))
                   for c, v, visits in messages]
        self.producer.flush()
        for future in futures:
            future.get(timeout=30)
        return len(futures)

    def _current(self, container_nos: list[str]) -> list[tuple[str, int, list[dict[str, Any]]]]:
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
