"""Same configuration, same bytes; count honoured; configuration checked."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from clearance.simulate import SimConfig, generate

from .streams import START


def _stream(**changes: object) -> list[tuple[bytes | None, bytes, bool, str]]:
    config = replace(SimConfig(seed=3, count=3000, start=START), **changes)
    return [(m.key, m.value, m.valid, m.kind) for m in generate(config)]


def test_same_config_same_bytes() -> None:
    assert _stream() == _stream()


def test_different_seed_different_stream() -> None:
    first, other = _stream(), _stream(seed=4)
    assert first != other
    assert len({m[1] for m in first} & {m[1] for m in other}) < 10


def test_start_moves_the_whole_history() -> None:
    assert _stream() != _stream(start=START + timedelta(days=1))


@pytest.mark.parametrize("count", [0, 1, 2, 7, 25, 1000, 4321])
def test_count_is_every_yielded_message(count: int) -> None:
    config = SimConfig(seed=9, count=count, start=START, malformed_share=0.2, duplicate_share=0.2)
    assert sum(1 for _ in generate(config)) == count


def test_generator_does_not_read_the_clock_or_global_random() -> None:
    import random
    random.seed(1)
    first = _stream(count=500)
    random.seed(2)
    assert _stream(count=500) == first


@pytest.mark.parametrize("changes", [
    {"start": datetime(2026, 11, 20)},  # naive
    {"count": -1},
    {"speed": 0},
    {"reorder_window": -5},
    {"duplicate_share": 1.5},
    {"malformed_share": 0.5, "duplicate_share": 0.5},  # nothing left for events
])
def test_bad_configuration_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SimConfig(**{"start": START, **changes})  # type: ignore[arg-type]


def test_default_start_is_now() -> None:
    before = datetime.now().astimezone()
    config = SimConfig()
    assert abs(config.start - before) < timedelta(seconds=5)


def test_same_bytes_in_another_process_with_another_hash_seed() -> None:
    import hashlib
    import os
    import subprocess
    import sys

    script = ("import hashlib, sys\nfrom datetime import datetime, timezone\n"
              "from clearance.simulate import SimConfig, generate\n"
              "h = hashlib.sha256()\n"
              "for m in generate(SimConfig(seed=3, count=3000, start=datetime(2026, 11, 20, tzinfo=timezone.utc))):\n"
              "    h.update((m.key or b'-') + b'|' + m.value)\n"
              "print(h.hexdigest())\n")
    here = hashlib.sha256()
    for key, value, _, _ in _stream():
        here.update((key or b"-") + b"|" + value)
    import clearance
    root = os.path.dirname(os.path.dirname(os.path.abspath(clearance.__file__)))
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": path}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == here.hexdigest()


def test_replanning_gives_the_same_stream_as_replaying(monkeypatch: pytest.MonkeyPatch) -> None:
    from clearance.simulate.calls import Calls

    replayed = _stream()
    monkeypatch.setattr(Calls, "MEMORY_LIMIT", 500)  # too small: the second pass plans everything again
    assert _stream() == replayed
