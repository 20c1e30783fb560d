"""Sending dead letters: original key, bytes and headers, with the reason and source position in headers
of their own (first, so that a message's own headers can never pass for them).

A message as large as the events topic takes is too large for the dead-letter topic once it carries
those headers. The broker refuses it for good, and asking again would stop the worker on that one
message: it goes again cut (`_send_cut`), keeping what an operator needs to find its publisher."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from kafka import KafkaProducer
from kafka.errors import MessageSizeTooLargeError
from kafka.producer.future import FutureRecordMetadata

from events import topics
from events.kafka import refused_as_too_large
from ingest.triage import DeadLetter

log = logging.getLogger(__name__)
KEY_KEPT = 1024  # bytes of a cut letter's key


def send_dead_letters(producer: KafkaProducer, topic: str, letters: Sequence[DeadLetter], value_kept: int) -> None:
    """Send and wait until the broker holds every one, a letter too large for the topic cut to the first
    `value_kept` bytes of its value (raises KafkaError otherwise)."""
    futures = [_send(producer, topic, letter) for letter in letters]
    refused = [letter for letter, too_large in zip(letters, refused_as_too_large(producer, futures)) if too_large]
    cut = [_send_cut(producer, topic, letter, value_kept) for letter in refused]
    if any(refused_as_too_large(producer, cut)):
        raise MessageSizeTooLargeError(f"{topic} refused even a dead letter cut to {value_kept} bytes")


def position_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    return [
        (topics.DLQ_REASON, letter.reason.encode()),
        (topics.DLQ_SOURCE_TOPIC, letter.topic.encode()),
        (topics.DLQ_SOURCE_PARTITION, str(letter.partition).encode()),
        (topics.DLQ_SOURCE_OFFSET, str(letter.offset).encode()),
    ]


def own_headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """The message's own headers, without any that could pass for the dead-letter topic's."""
    return [(name, value) for name, value in letter.headers if not name.startswith(topics.DLQ_HEADER_PREFIX)]


def original_size(letter: DeadLetter) -> int:
    return (len(letter.key or b"") + len(letter.value or b"")
            + sum(len(name.encode()) + len(value or b"") for name, value in letter.headers))


def _send(producer: KafkaProducer, topic: str, letter: DeadLetter) -> FutureRecordMetadata:
    log.warning("dead letter %s[%s]@%s: %s", letter.topic, letter.partition, letter.offset, letter.reason)
    return producer.send(topic, key=letter.key, value=letter.value or b"",
                         headers=position_headers(letter) + own_headers(letter))


def _send_cut(producer: KafkaProducer, topic: str, letter: DeadLetter, value_kept: int) -> FutureRecordMetadata:
    """The letter with its key and value cut and its own headers left out (any of them may be what made
    it large), its original size in `dlq.cut`."""
    size = original_size(letter)
    log.warning("dead letter %s[%s]@%s: %s bytes with its headers, too large for %s; sent cut to its first %s",
                letter.topic, letter.partition, letter.offset, size, topic, value_kept)
    key = None if letter.key is None else letter.key[:KEY_KEPT]
    headers = position_headers(letter) + [(topics.DLQ_CUT, str(size).encode())]
    return producer.send(topic, key=key, value=(letter.value or b"")[:value_kept], headers=headers)
