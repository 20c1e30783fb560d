"""The project's producer (events.kafka.make_producer) with the real broker: a message the broker refuses
for good fails alone, and the producer goes on sending. kafka-python 3's idempotent default would have
stopped every later send."""
from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import MessageSizeTooLargeError

from events.kafka import make_producer
from tests.support.pipeline import read_all


def test_a_refused_message_fails_alone_and_the_next_is_sent(kafka_bootstrap: str,
                                                            topic_names: dict[str, str]) -> None:
    topic = topic_names["updates"]
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "200"})])
    admin.close()
    producer = make_producer(kafka_bootstrap)
    try:
        assert producer.send(topic, value=b"first").get(timeout=30).offset == 0
        with pytest.raises(MessageSizeTooLargeError):
            producer.send(topic, value=b"x" * 1000).get(timeout=30)
        assert producer.send(topic, value=b"after the refusal").get(timeout=30).offset == 1
    finally:
        producer.close()
    assert [r.value for r in read_all(kafka_bootstrap, topic)] == [b"first", b"after the refusal"]
