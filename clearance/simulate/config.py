"""The simulator's public value types: what it is asked for (SimConfig) and what it yields (SimMessage)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# ESTIMATED / PLANNED events (vessel ETA, ETD) are published at most this long before the moment they
# announce, in simulated seconds (divided by speed like every other duration).
MAX_ESTIMATE_LEAD_S = 6 * 3600
# Retraction notices bring, on average, this many extra ordinary events with them (the spurious event they
# withdraw, or the re-issued replacement): used to turn shares of the whole stream into per-event odds.
EVENTS_PER_RETRACTION = 0.9


@dataclass(frozen=True)
class SimMessage:
    """One Kafka message: key and value bytes as they go on the wire, plus what the simulator meant."""

    key: bytes | None
    value: bytes
    valid: bool  # False for the deliberately malformed ones
    kind: str  # "event", "duplicate", "correction", "retraction", or the defect name of a malformed one


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. Shares are fractions of `count`, the number of messages yielded in total.

    `start` is the simulated "now": the stream is a history that ends at `start`. Every ACTUAL event
    happened at or before it; ESTIMATED/PLANNED ones announce moments at most 6 h / speed after it.
    """

    seed: int = 1
    count: int = 1000
    start: datetime = field(default_factory=_now)
    speed: float = 1.0
    malformed_share: float = 0.01
    duplicate_share: float = 0.02
    correction_share: float = 0.01
    retraction_share: float = 0.005
    inspection_share: float = 0.04
    reorder_window: int = 20

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("SimConfig.start must be timezone-aware")
        if self.count < 0 or self.reorder_window < 0:
            raise ValueError("count and reorder_window must not be negative")
        if not self.speed > 0:
            raise ValueError("speed must be positive")
        for name in ("malformed_share", "duplicate_share", "correction_share", "retraction_share",
                     "inspection_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.base_share < 0.05:
            raise ValueError("the shares of malformed, duplicate, correction and retraction messages "
                             "leave too little room for ordinary events")

    @property
    def base_share(self) -> float:
        """Share of the stream that is ordinary lifecycle events (the rest is extras)."""
        extras = (self.malformed_share + self.duplicate_share + self.correction_share
                  + self.retraction_share * (1 + EVENTS_PER_RETRACTION))
        return 1.0 - extras

    @property
    def start_epoch(self) -> int:
        """`start` as whole seconds since the Unix epoch."""
        return int(self.start.timestamp())


def latest_timestamp(config: SimConfig) -> datetime:
    """The latest occurred_at or updated_at any valid message of this configuration can carry."""
    lead = timedelta(seconds=MAX_ESTIMATE_LEAD_S / config.speed + 2)
    return datetime.fromtimestamp(config.start_epoch, UTC) + lead
