"""Event stream simulator: realistic, seeded streams of Yantai (CNYNT) clearance events as Kafka messages.

    from clearance.simulate import SimConfig, generate
    for message in generate(SimConfig(seed=7, count=20_000, start=now)):
        producer.send(topic, key=message.key, value=message.value)

Vessel calls at three terminals carry export and import containers through the lifecycles of
DOMAIN.md §2 (advance and two-step declarations, 船边直提, 抵港直装, inspections with 调箱, holds),
delivered slightly out of order, with duplicates, corrections, retractions and malformed messages.
"""
from clearance.simulate.config import SimConfig, SimMessage, latest_timestamp
from clearance.simulate.malformed import MALFORMED_KINDS
from clearance.simulate.stream import expected_keys, generate

__all__ = ["MALFORMED_KINDS", "SimConfig", "SimMessage", "expected_keys", "generate", "latest_timestamp"]
