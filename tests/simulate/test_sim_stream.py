"""Delivery effects: shares, duplicates, corrections, retractions, order, clock bounds."""
from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from clearance.simulate import SimConfig, expected_keys, generate, latest_timestamp

from .streams import BIG, CLEAN, START, at, decoded, stream


@pytest.mark.parametrize("kind, share", [("duplicate", BIG.duplicate_share), ("correction", BIG.correction_share),
                                         ("retraction", BIG.retraction_share)])
def test_shares_roughly_honoured(kind: str, share: float) -> None:
    kinds = Counter(m.kind for m in stream(BIG))
    assert abs(kinds[kind] / BIG.count - share) < 0.3 * share + 0.001


def test_malformed_share_roughly_honoured() -> None:
    malformed = sum(not m.valid for m in stream(BIG))
    assert abs(malformed / BIG.count - BIG.malformed_share) < 0.3 * BIG.malformed_share


def test_duplicates_repeat_key_and_bytes() -> None:
    originals = {(m.key, m.value) for m in stream(BIG) if m.kind == "event"}
    duplicates = [m for m in stream(BIG) if m.kind == "duplicate"]
    assert duplicates
    missing = [m for m in duplicates if (m.key, m.value) not in originals]
    assert len(missing) <= 2  # an original just beyond the end of the stream


def test_corrections_are_newer_versions_of_an_event() -> None:
    versions = defaultdict(list)
    for message, event in decoded(BIG):
        if event is not None:
            versions[(event["source"], event["event_id"])].append((message.kind, event))
    corrections = [(k, e) for vs in versions.values() for k, e in vs if k == "correction"]
    assert corrections
    for _, fixed in corrections:
        originals = [e for k, e in versions[(fixed["source"], fixed["event_id"])] if k == "event"]
        if not originals:
            continue  # the original came after the stream's end
        original = originals[0]
        assert "updated_at" not in original or at(original["updated_at"]) < at(fixed["updated_at"])
        assert (original["occurred_at"], original.get("detail")) != (fixed["occurred_at"], fixed.get("detail"))


def test_retractions_withdraw_events_of_their_own_source() -> None:
    position = {}
    for i, (_, event) in enumerate(decoded(BIG)):
        if event is not None and "retracts" not in event:
            position.setdefault((event["source"], event["event_id"]), i)
    before = dangling = after = 0
    for i, (message, event) in enumerate(decoded(BIG)):
        if message.kind != "retraction":
            continue
        assert event["retracts"] != event["event_id"]
        target = position.get((event["source"], event["retracts"]))
        if target is None:
            dangling += 1
        elif target > i:
            before += 1
        else:
            after += 1
    assert before and dangling and after > before


def test_expected_keys_are_the_valid_events_identities() -> None:
    keys = expected_keys(stream(BIG))
    valid = [json.loads(m.value) for m in stream(BIG) if m.valid]
    assert keys == {(e["source"], e["publisher"], e["event_id"]) for e in valid}
    assert len(keys) < len(valid)  # duplicates and corrections share keys


def test_vessel_events_reach_the_containers_of_their_voyage() -> None:
    boxes = defaultdict(set)
    calls = set()
    for _, event in decoded(BIG):
        if event is None:
            continue
        if event["type"].startswith("VESSEL_"):
            assert "container_no" not in event
            calls.add((event["vessel_imo"], event["voyage"]))
        else:
            boxes[(event["vessel_imo"], event["voyage"])].update(
                [event["container_no"]] if "container_no" in event else event["containers"])
    assert len(calls) > 50
    assert sum(call in boxes for call in calls) / len(calls) > 0.9
    assert max(len(boxes[c]) for c in calls) >= 15


def test_no_valid_timestamp_after_the_history() -> None:
    for config in (BIG, replace(BIG, count=3000, speed=120.0)):
        latest = latest_timestamp(config)
        for message in generate(config):
            if not message.valid:
                continue
            event = json.loads(message.value)
            assert at(event["occurred_at"]) <= latest
            assert "updated_at" not in event or at(event["updated_at"]) <= latest
            if "classifier" not in event:
                assert at(event["occurred_at"]) <= config.start


def test_history_ends_at_start() -> None:
    actual = [at(e["occurred_at"]) for _, e in decoded(BIG) if e and "classifier" not in e]
    assert max(actual) > START - timedelta(hours=1)
    assert min(actual) < START - timedelta(days=5)


def test_default_start_is_never_hours_ahead_of_the_clock() -> None:
    now = datetime.now(UTC)
    events = [json.loads(m.value) for m in generate(SimConfig(count=2000)) if m.valid]
    assert max(at(e["occurred_at"]) for e in events) <= now + timedelta(hours=6, minutes=1)


def test_delivery_is_out_of_order_but_only_within_the_window() -> None:
    window = 20
    config = replace(CLEAN, count=5000, reorder_window=window)
    times = [at(json.loads(m.value)["occurred_at"]) for m in generate(config)]
    actual = [t for t, m in zip(times, generate(config)) if b'"classifier"' not in m.value]
    inversions = sum(a > b for a, b in itertools.pairwise(actual))
    assert inversions > 50
    running = actual[0]
    for i in range(3 * window, len(actual)):
        running = max(running, actual[i - 3 * window])
        assert running <= actual[i]


def test_speed_compresses_durations() -> None:
    def span(speed: float) -> timedelta:
        config = replace(CLEAN, count=3000, speed=speed)
        times = [at(json.loads(m.value)["occurred_at"]) for m in generate(config)]
        return max(times) - min(times)

    assert span(1.0) / span(60.0) == pytest.approx(60, rel=0.01)
