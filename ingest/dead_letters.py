"""Sending dead letters: original key, bytes and headers, with the reason and source position in headers
of their own (first, so that a message's own headers can never pass for them)."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from kafka import KafkaProducer

from events import topics
from ingest.triage import DeadLetter

log = logging.getLogger(__name__)


def send_dead_letters(producer: KafkaProducer, topic: str, letters: Sequence[DeadLetter]) -> None:
    """Send and wait until the broker holds every one (raises KafkaError otherwise)."""
    futures = []
    for letter in letters:
        headers = [
            (topics.DLQ_REASON, letter.reason.encode()),
            (topics.DLQ_SOURCE_TOPIC, letter.topic.encode()),
            (topics.DLQ_SOURCE_PARTITION, str(letter.partition).encode()),
            (topics.DLQ_SOURCE_OFFSET, str(letter.offset).encode()),
        ] + [(name, value) for name, value in letter.headers if not name.startswith(topics.DLQ_HEADER_PREFIX)]
        futures.append(producer.send(topic, key=letter.key, value=letter.value or b"", headers=headers))
        log.warning("dead letter %s[%s]@%s: %s", letter.topic, letter.partition, letter.offset, letter.reason)
    producer.flush()
    for future in futures:
        future.get(timeout=30)
