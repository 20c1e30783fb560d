"""Streams shared by the simulator tests (generated once per test session)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from clearance.simulate import SimConfig, SimMessage, generate

START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
BIG = SimConfig(seed=11, count=20_000, start=START)
# no extras and no reordering: the planned lifecycles exactly as they happened
CLEAN = SimConfig(seed=5, count=30_000, start=START, malformed_share=0, duplicate_share=0,
                  correction_share=0, retraction_share=0, reorder_window=0)


@lru_cache(maxsize=4)
def stream(config: SimConfig) -> tuple[SimMessage, ...]:
    return tuple(generate(config))


@lru_cache(maxsize=4)
def decoded(config: SimConfig) -> tuple[tuple[SimMessage, dict[str, Any] | None], ...]:
    """Each message with its event (None for malformed ones)."""
    return tuple((m, json.loads(m.value) if m.valid else None) for m in stream(config))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
