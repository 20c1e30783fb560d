"""CLEARANCE_REPLICATION_FACTOR and CLEARANCE_MIN_INSYNC_REPLICAS: how the project's topics are made."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from clearance.config import ConfigError, from_environ, pipeline_topics
from events.kafka import TopicSpec, ensure_topics


def test_the_brokers_replication_by_default() -> None:
    settings = from_environ({})
    assert (settings.replication_factor, settings.min_insync_replicas) == (None, None)
    topics = pipeline_topics(settings)
    assert topics == {"clearance.events": TopicSpec(4), "clearance.events.dlq": TopicSpec(1),
                      "clearance.updates": TopicSpec(4), "clearance.alerts": TopicSpec(1)}


def test_every_pipeline_topic_gets_the_replication() -> None:
    settings = from_environ({"CLEARANCE_REPLICATION_FACTOR": "3", "CLEARANCE_MIN_INSYNC_REPLICAS": "2",
                             "CLEARANCE_EVENTS_PARTITIONS": "12"})
    topics = pipeline_topics(settings)
    assert {(spec.replication_factor, spec.min_insync_replicas) for spec in topics.values()} == {(3, 2)}
    assert topics[settings.events_topic].partitions == topics[settings.updates_topic].partitions == 12


@pytest.mark.parametrize(("env", "message"), [
    ({"CLEARANCE_REPLICATION_FACTOR": "0"}, "CLEARANCE_REPLICATION_FACTOR='0': must be a positive whole number"),
    ({"CLEARANCE_MIN_INSYNC_REPLICAS": "0"}, "CLEARANCE_MIN_INSYNC_REPLICAS='0': must be a positive whole number"),
    ({"CLEARANCE_REPLICATION_FACTOR": "2", "CLEARANCE_MIN_INSYNC_REPLICAS": "3"},
     "CLEARANCE_MIN_INSYNC_REPLICAS='3': must be at most CLEARANCE_REPLICATION_FACTOR"),
])
def test_impossible_replication_is_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_environ(env)
    assert message in str(caught.value)


def test_min_isr_alone_leaves_the_replicas_to_the_broker() -> None:
    assert pipeline_topics(from_environ({"CLEARANCE_MIN_INSYNC_REPLICAS": "2"}))["clearance.events"] == TopicSpec(4, None, 2)


def test_a_spec_asks_the_broker_for_its_replicas_and_min_isr() -> None:
    made = TopicSpec(12, 3, 2).new_topic("clearance.events")
    assert (made.name, made.num_partitions, made.replication_factor) == ("clearance.events", 12, 3)
    assert made.topic_configs == {"min.insync.replicas": "2"}
    default = TopicSpec(4).new_topic("t")
    assert (default.replication_factor, default.topic_configs) == (-1, {}), "the broker's own (Kafka 2.4 on)"


@pytest.mark.kafka
def test_topics_are_made_as_specified_and_existing_ones_left_alone(kafka_bootstrap: str) -> None:
    tag = uuid.uuid4().hex[:10]
    specified, counted = f"test.{tag}.specified", f"test.{tag}.counted"
    ensure_topics(kafka_bootstrap, {specified: TopicSpec(3, 1, 1), counted: 2})  # 2: the broker's replication
    ensure_topics(kafka_bootstrap, {specified: TopicSpec(5, 1, None)})
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.wait_for_topics([specified, counted])  # KRaft: metadata follows the creation shortly
        described = {t["name"]: t for t in admin.describe_topics([specified, counted])}
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, specified)])
    finally:
        admin.close()
    assert len(described[specified]["partitions"]) == 3
    assert len(described[counted]["partitions"]) == 2
    for name in (specified, counted):
        assert {len(p["replica_nodes"]) for p in described[name]["partitions"]} == {1}
    assert configs["topic"][specified]["min.insync.replicas"]["value"] == "1"
