"""Per-token rate limits: a token bucket per API token, in this portal process's memory.

A bucket holds at most `burst` requests and fills at `rate` per second; each request takes one. An empty
bucket answers how long until the next request may go (429 with Retry-After, whole seconds, rounded up).
The same buckets, keyed by the client's address, count failed token authentications (a token nobody
has): they belong to no token, but must not be a way to call without limit either. Browser sessions
are not limited here (logins are throttled per name, models.user).

With N portal processes each keeps its own buckets, so a client spread over them may make N times as
many requests; a load balancer with sticky sessions keeps one client on one process.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

MAX_BUCKETS = 10_000  # beyond this many keys, the full buckets (no different from new ones) are dropped


@dataclass
class _Bucket:
    level: float
    at: float


class TokenBuckets:
    """Token buckets by key (a token id, or ("address", text)); thread-safe. `rate` 0 turns it off."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[Hashable, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: Hashable) -> int:
        """Take one request from the key's bucket: 0 when it may go, else the whole seconds to wait
        (at least 1) until one will be there. A refused request takes nothing."""
        if not self.enabled:
            return 0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.level = min(float(self.burst), bucket.level + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.level >= 1:
                bucket.level -= 1
                return 0
            return max(1, math.ceil((1 - bucket.level) / self.rate))

    def _forget_full(self, now: float) -> None:
        """Keep memory bounded: drop buckets that have filled up again, then (if still too many) the oldest."""
        if len(self._buckets) < MAX_BUCKETS:
            return
        refill = self.burst / self.rate
        for key in [k for k, b in self._buckets.items() if now - b.at >= refill]:
            del self._buckets[key]
        while len(self._buckets) >= MAX_BUCKETS:
            del self._buckets[next(iter(self._buckets))]
