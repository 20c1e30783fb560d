"""Every valid message satisfies the contract; every malformed one breaks the rule it is named after."""
from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iso6346
from stdnum.cn import uscc

from clearance.simulate import MALFORMED_KINDS, SimConfig, generate

from .simcheck import EXPECTED_RULE, imo_ok, violations
from .streams import BIG, START, decoded, stream


def test_valid_messages_keep_the_contract() -> None:
    broken = Counter()
    for message in stream(BIG):
        if message.valid:
            broken.update(violations(message.value, START))
    assert not broken


def test_valid_messages_have_check_digits_and_keys() -> None:
    for message, event in decoded(BIG):
        if event is None:
            continue
        for number in [event.get("container_no"), *event.get("containers", ())]:
            assert number is None or iso6346.is_valid(number)
        for field in ("enterprise_uscc", "declarant_uscc"):
            assert field not in event or uscc.is_valid(event[field])
        assert "vessel_imo" not in event or imo_ok(event["vessel_imo"])
        if "declaration_no" in event:
            assert event["declaration_no"][8] == ("1" if event["direction"] == "IMPORT" else "0")
        expected = event.get("container_no") or event.get("declaration_no") \
            or f"{event['vessel_imo']}/{event['voyage']}"
        assert message.key == expected.encode()


def test_at_least_twenty_malformed_kinds_each_breaking_its_rule() -> None:
    config = SimConfig(seed=2, count=6000, start=START, malformed_share=0.1)
    seen = Counter()
    for message in generate(config):
        if message.valid:
            continue
        seen[message.kind] += 1
        rule = EXPECTED_RULE.get(message.kind, message.kind)
        assert rule in violations(message.value, START), (message.kind, message.value[:300])
    assert set(seen) == set(MALFORMED_KINDS)
    assert len(seen) >= 20


def test_malformed_kinds_are_spread_through_the_stream() -> None:
    positions = [i for i, m in enumerate(stream(BIG)) if not m.valid]
    assert positions[0] < 2000 and positions[-1] > 18_000
    assert max(b - a for a, b in itertools.pairwise(positions)) < 2000


def test_the_projects_decoder_agrees() -> None:
    codec = pytest.importorskip("events.codec")
    schema_module = pytest.importorskip("events.schema")
    schema = schema_module.EventSchema(clock=lambda: START)
    for message in stream(BIG):
        if message.valid:
            codec.decode(message.value, schema=schema)
        else:
            with pytest.raises(codec.InvalidEvent):
                codec.decode(message.value, schema=schema)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), count=st.integers(0, 400), speed=st.sampled_from([0.5, 1.0, 60.0, 3600.0]),
       malformed=st.floats(0, 0.3), duplicate=st.floats(0, 0.3), window=st.integers(0, 50))
def test_any_configuration_keeps_the_contract(seed: int, count: int, speed: float, malformed: float,
                                              duplicate: float, window: int) -> None:
    config = SimConfig(seed=seed, count=count, start=datetime(2027, 3, 1, 9, 30).astimezone(),
                       speed=speed, malformed_share=malformed, duplicate_share=duplicate,
                       reorder_window=window)
    messages = list(generate(config))
    assert len(messages) == count
    for message in messages:
        broken = violations(message.value, config.start)
        assert bool(broken) != message.valid, (message.kind, broken)
