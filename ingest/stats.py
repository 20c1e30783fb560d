"""What a worker has done so far, and the one-line progress report it prints."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0  # new events and newer versions
    unchanged: int = 0  # duplicates and superseded versions
    dead_lettered: int = 0
    containers_changed: int = 0
    batches: int = 0
    store_seconds: float = 0.0  # in the database: storing and rebuilding, commits included
    waited_seconds: float = 0.0  # of which waiting for other workers' rebuilds (models.operations)
    lag: int | None = None
    database_down_since: float | None = None  # time.monotonic() of the first failure, while it lasts
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        lag = "?" if self.lag is None else f"{self.lag:,}"
        return (f"stored {self.stored:,} ({self.received / elapsed:,.0f} msg/s) · duplicates {self.unchanged:,}"
                f" · dead-lettered {self.dead_lettered:,} · containers updated {self.containers_changed:,}"
                f" · lag {lag}{self._outage()}")

    def _outage(self) -> str:
        if self.database_down_since is None:
            return ""
        return f" · database unreachable for {time.monotonic() - self.database_down_since:,.0f}s, retrying"
