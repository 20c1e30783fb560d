"""`clearance simulate --follow`: what is due goes at once, the rest each at its moment (the demo's live
part), on the real broker."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from clearance.history import due_at, simulate_args
from clearance.simulate import SimConfig, generate
from tests.conftest import settings_env
from tests.support.pipeline import read_all


def test_follow_publishes_each_message_no_earlier_than_its_moment(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(sqlite_url)
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    config = SimConfig(seed=3, count=400, start=end, speed=600.0)
    expected = list(generate(config))[20:]
    started = time.time()
    result = subprocess.run([sys.executable, "-m", "clearance.cli", "simulate", *simulate_args(config, 20, 0)],
                            env=settings_env(settings), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert time.time() - started >= 9  # it waited for the last moments to come
    records = read_all(settings.kafka_bootstrap_servers, settings.events_topic)
    assert sorted(r.value for r in records) == sorted(m.value for m in expected)  # the same stream, less 20
    moments = [(r.timestamp / 1000, due_at(r.value)) for r in records]
    later = [(sent, due) for sent, due in moments if due is not None and due > started + 2]
    assert len(later) > 10  # part of the stream lay in the future when it started
    assert all(sent >= due - 0.5 for sent, due in later)  # none went before its moment
    early = [(sent, due) for sent, due in moments if due is not None and due < started]
    assert early and all(sent < started + 8 for sent, _ in early)  # what was due went at once
