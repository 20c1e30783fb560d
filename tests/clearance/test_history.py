"""The demo's history phase (clearance/history.py): thirty days of events dated before now, published at
once, and the rest of the same stream left for the live simulator."""
from __future__ import annotations

import argparse
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from clearance.commands import simulate
from clearance.history import HistoryProgress, demo_stream, due_at, publish_due, simulate_args
from clearance.progress import ProgressLine
from clearance.simulate import SimConfig, SimMessage, generate
from clearance.simulate.builder import stream_tag

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


@lru_cache(maxsize=2)
def _split(history_days: float, live_days: float) -> tuple[SimConfig, list[SimMessage], list[SimMessage]]:
    """The demo stream cut where publish_due stops: (config, what it sent, what is left)."""
    config = demo_stream(NOW, seed=3, history_days=history_days, live_days=live_days)
    messages = list(generate(config))
    sent: list[SimMessage] = []
    progress = HistoryProgress(0.0, NOW.timestamp())
    count = publish_due(iter(messages), sent.append, progress, lambda: None, clock=NOW.timestamp)
    assert count == len(sent) == progress.published
    return config, sent, messages[count:]


def _moments(messages: list[SimMessage]) -> list[datetime]:
    return [datetime.fromtimestamp(m, UTC) for m in (due_at(x.value) for x in messages if x.valid) if m is not None]


def test_the_history_covers_the_last_thirty_days_every_day() -> None:
    _config, sent, _rest = _split(30, 1)
    moments = _moments(sent)
    assert max(moments) <= NOW
    per_day = Counter((NOW - moment).days for moment in moments)
    # every one of the 30 days before now is a full day of the port (about 1,350 messages)
    assert all(900 < per_day[day] < 2000 for day in range(30)), sorted(per_day.items())
    older = sum(n for day, n in per_day.items() if day >= 30)  # the ramp before the history: thin
    assert older < 0.1 * len(moments)
    assert min(moments) > NOW - timedelta(days=30 + 6)


def test_the_live_part_is_the_rest_of_the_same_stream_dated_after_now() -> None:
    config, sent, rest = _split(30, 1)
    assert config.start == NOW + timedelta(days=1)  # the stream ends a live day after now
    assert len(sent) + len(rest) == config.count
    later = _moments(rest)
    assert 0.5 * 1350 < len(later) < 2 * 1350
    # the first message left is the first not due; a few delayed ones (delivered out of order) follow it
    assert later[0] > NOW and sum(moment <= NOW for moment in later) < 100
    assert max(later) <= config.start + timedelta(hours=7)  # estimates announce up to 6 h ahead
    # the live simulator (`clearance simulate --skip N`) takes up exactly where the history stopped
    assert list(generate(config))[len(sent)].value == rest[0].value


def test_without_history_only_the_streams_thin_lead_in_is_dated_before_now() -> None:
    config, sent, rest = _split(0, 2)
    assert len(sent) < 2.5 * 1350 and min(_moments(sent)) > NOW - timedelta(days=7)
    assert len(rest) > 1.5 * 1350 and max(_moments(rest)) > NOW + timedelta(days=1.9)


def test_the_live_simulator_is_given_the_very_same_stream() -> None:
    """Its event ids carry a tag of the configuration's repr: any difference (speed 2 against 2.0) would
    publish the history's containers again under other ids."""
    parser = argparse.ArgumentParser()
    simulate.register(parser.add_subparsers())
    for speed in (1, 2.5):
        config = demo_stream(NOW, seed=42, history_days=30, live_days=7, speed=speed)
        child = simulate.sim_config(parser.parse_args(["simulate", *simulate_args(config, 123, 0)]))
        assert repr(child) == repr(config) and stream_tag(child) == stream_tag(config)
        assert parser.parse_args(["simulate", *simulate_args(config, 123, 0)]).skip == 123


def test_speed_makes_the_stream_denser() -> None:
    slow, fast = demo_stream(NOW, 1, 30, 7), demo_stream(NOW, 1, 30, 7, speed=2.0)
    assert fast.count > 1.9 * slow.count and fast.speed == 2.0


def test_a_message_is_due_at_its_updated_at_else_its_occurred_at() -> None:
    def value(**fields: str) -> bytes:
        return json.dumps(fields).encode()
    assert due_at(value(occurred_at="2026-11-30T17:30:00+08:00")) == NOW.timestamp()
    assert due_at(value(occurred_at="2026-12-02T00:00:00Z", updated_at="2026-11-30T09:30:00Z")) == NOW.timestamp()
    for broken in (b"not json", b"[]", value(occurred_at="yesterday"), b'{"occurred_at": 5}'):
        assert due_at(broken) is None


def test_the_progress_bar_fills_with_the_days_published() -> None:
    progress = HistoryProgress(since=(NOW - timedelta(days=30)).timestamp(), until=NOW.timestamp())
    assert progress.line().startswith("░" * 24 + "   0%")
    progress.published, progress.reached = 20_000, (NOW - timedelta(days=15)).timestamp()
    progress.stored, progress.lag = 18_000, 2_000
    line = progress.line()
    assert line.startswith("█" * 12 + "░" * 12 + "  50%")
    assert "published 20,000" in line and "to 2026-11-15 17:30 UTC+8" in line and "stored 18,000 events · lag 2,000" in line
    out = io.StringIO()
    ProgressLine("history", stream=out, live=False).show(progress)
    assert out.getvalue().startswith("[history] ████")
