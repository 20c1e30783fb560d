"""How fast `generate` yields messages (it feeds a 20,000 events/s ingest benchmark)."""
from __future__ import annotations

import time

from clearance.simulate import SimConfig, generate

from .streams import START


def test_generation_rate(capsys: object) -> None:
    count = 100_000
    began = time.perf_counter()
    made = sum(1 for _ in generate(SimConfig(seed=42, count=count, start=START)))
    rate = made / (time.perf_counter() - began)
    print(f"\nclearance.simulate.generate: {rate:,.0f} messages/s")
    assert made == count
    assert rate > 10_000  # a loose floor: on the development machine it is well above 50,000
