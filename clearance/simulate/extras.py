"""Delivery effects on top of the planned events: duplicates, corrections, retractions, malformed.

Each ordinary event draws whether it brings a malformed message, a duplicate delivery, a correction or
a retraction; the odds are the configured shares of the whole stream divided by the share of ordinary
events, so each share holds for the stream as a whole (one draw picks at most one extra while the odds
sum to at most 1, else each kind is drawn on its own). Extras are delivered some
messages later (a queue ordered by position). Where and how many extras come is drawn from one random
stream, what they contain from another: so `Schedule` alone (no content) replays the exact positions,
which is how stream.py finds where the history ends before building anything.
"""
from __future__ import annotations

import heapq
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate
from random import Random
from typing import Any

from clearance.simulate.config import SimConfig

MALFORMED, DUPLICATE, CORRECTION, SPURIOUS, SPURIOUS_RETRACTION, RETRACTION, REISSUE, GHOST = range(8)


def _odds(share: float, base: float) -> tuple[int, float]:
    per_event = share / base
    return int(per_event), per_event - int(per_event)


class Schedule:
    """Interleaves ordinary events with the extras they bring. This base class yields, for every
    message, the simulated time of the latest ordinary event so far (what `Mixer` stamps extras with)."""

    def __init__(self, config: SimConfig) -> None:
        self.rng = Random(f"{config.seed}:mix")
        self.window = config.reorder_window
        shares = (config.malformed_share, config.duplicate_share, config.correction_share,
                  config.retraction_share)
        self.odds = [_odds(s, config.base_share) for s in shares]
        per_event = [whole + fraction for whole, fraction in self.odds]
        self.exclusive = list(accumulate(per_event)) if sum(per_event) <= 1.0 else None
        self.pending: list[tuple[int, int, tuple[Any, ...]]] = []
        self.serial = 0
        self.now: Any = 0

    def mix(self, events: Iterator[Any]) -> Iterator[Any]:
        """Ordinary events with their extras, before out-of-order delivery."""
        position = 0
        pending = self.pending
        for item in events:
            while pending and pending[0][0] <= position:
                yield self.deliver(heapq.heappop(pending)[2])
                position += 1
            yield self.ordinary(item)
            position += 1
            self._extras(item, position)

    def ordinary(self, item: Any) -> Any:
        """What an ordinary event is delivered as (here: its simulated time; a plan item's first field)."""
        self.now = item[0]
        return self.now

    def deliver(self, spec: tuple[Any, ...]) -> Any:
        """What an extra is delivered as (here: the simulated time of the latest ordinary event)."""
        return self.now

    def _later(self, position: int, spec: tuple[Any, ...]) -> None:
        self.serial += 1
        heapq.heappush(self.pending, (position, self.serial, spec))

    def _extras(self, item: Any, position: int) -> None:
        rng = self.rng
        if self.exclusive is not None:  # usual case: at most one extra per event, one draw decides
            u = rng.random()
            if u < self.exclusive[-1]:
                self._extra(bisect(self.exclusive, u), item, position)
            return
        for kind, (whole, fraction) in enumerate(self.odds):
            for _ in range(whole + (rng.random() < fraction)):
                self._extra(kind, item, position)

    def _extra(self, kind: int, item: Any, position: int) -> None:
        rng = self.rng
        if kind == 0:
            self._later(position + rng.randint(0, 10), (MALFORMED, item))
        elif kind == 1:
            self._later(position + min(int(rng.expovariate(1 / 30)), 2000), (DUPLICATE, item))
        elif kind == 2:
            self._later(position + 5 + min(int(rng.expovariate(1 / 150)), 5000), (CORRECTION, item))
        else:
            self._retraction(item, position)

    def _retraction(self, item: Any, position: int) -> None:
        """Withdraw a spurious double report (70 %; a quarter of them withdrawn before they arrive), a real
        event that is then re-issued under a new id (20 %), or an event id never delivered (10 %)."""
        rng = self.rng
        mode = rng.random()
        if mode < 0.7:
            shared: list[dict[str, Any]] = []  # the spurious event, made by whichever is delivered first
            if rng.random() < 0.25:
                self._later(position, (SPURIOUS_RETRACTION, item, shared))
                self._later(position + rng.randint(1, 2 * self.window + 5), (SPURIOUS, item, shared))
            else:
                self._later(position + rng.randint(0, 20), (SPURIOUS, item, shared))
                self._later(position + rng.randint(21, 400), (SPURIOUS_RETRACTION, item, shared))
        elif mode < 0.9:
            due = position + rng.randint(5, 300)
            self._later(due, (RETRACTION, item))
            self._later(due + rng.randint(0, 3), (REISSUE, item))
        else:
            self._later(position + rng.randint(1, 200), (GHOST, item))
