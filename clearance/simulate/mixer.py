"""The content of the extras `Schedule` places: duplicates, corrections, retractions, malformed messages.

Corrections and retraction notices take their updated_at from the simulated clock at the moment they
are delivered (the latest ordinary event so far), so they are never later than the history's end.
"""
from __future__ import annotations

from random import Random
from typing import Any

from clearance.simulate.builder import Builder, Built
from clearance.simulate.config import SimConfig
from clearance.simulate.extras import (
    CORRECTION,
    DUPLICATE,
    GHOST,
    REISSUE,
    RETRACTION,
    SPURIOUS,
    SPURIOUS_RETRACTION,
    Schedule,
)
from clearance.simulate.malformed import Malformed
from clearance.simulate.world import RETRACTION_REASONS

Message = tuple["bytes | None", bytes, bool, str]  # key, value, valid, kind
_FLIP = {"NORMAL": "ABNORMAL", "ABNORMAL": "NORMAL", "SCAN": "MANUAL", "MANUAL": "SCAN",
         "22G1": "42G1", "42G1": "22G1", "45G1": "45R1", "45R1": "45G1"}


class Mixer(Schedule):
    """Schedule with content: yields (key, value, valid, kind) messages."""

    def __init__(self, config: SimConfig, builder: Builder, latest_epoch: int) -> None:
        super().__init__(config)
        self.content = Random(f"{config.seed}:content")
        self.builder, self.latest, self.inverse = builder, latest_epoch, 1.0 / config.speed
        self.end = config.start_epoch  # no ACTUAL event happens after the history's end
        self.malformed = Malformed(Random(f"{config.seed}:malformed"), builder, config)
        self.specimen: Built | None = None

    def ordinary(self, item: Built) -> Message:
        """The built event as a message; it also moves the clock and may become the malformed specimen."""
        self.now = item[4]
        if "container_no" in item[1]:
            self.specimen = item
        return item[0], item[2], True, "event"

    def deliver(self, spec: tuple[Any, ...]) -> Message:
        """The message an extra turns into, made now (so its updated_at is the current simulated time)."""
        what, item = spec[0], spec[1]
        if what == DUPLICATE:
            return item[0], item[2], True, "duplicate"
        if what == CORRECTION:
            return item[0], self._encode(self._correction(item)), True, "correction"
        if what in (SPURIOUS, SPURIOUS_RETRACTION):
            shared = spec[2]
            if not shared:
                shifted = item[5] - self._wall(self.content.randint(60, 5400))
                shared.append(self._copy(item[1], item[3], shifted))
            if what == SPURIOUS:
                return item[0], self._encode(shared[0]), True, "event"
            return item[0], self._encode(self._notice(shared[0], item[3])), True, "retraction"
        if what == RETRACTION:
            return item[0], self._encode(self._notice(item[1], item[3])), True, "retraction"
        if what == REISSUE:
            moved = item[5] + self.content.choice((-1, 1)) * self._wall(self.content.randint(60, 1800))
            if "classifier" not in item[1]:
                moved = min(moved, self.now)
            return item[0], self._encode(self._copy(item[1], item[3], moved)), True, "event"
        if what == GHOST:  # withdraws an id that was never delivered
            ghost = {**item[1], "event_id": self.builder.new_id(item[3])}
            return item[0], self._encode(self._notice(ghost, item[3])), True, "retraction"
        key, value, kind = self.malformed.make(self.specimen or item)
        return key, value, False, kind

    def _encode(self, event: dict[str, Any]) -> bytes:
        return self.builder.encode(event).encode()

    def _wall(self, simulated_s: int) -> int:
        """A simulated duration in wall seconds (at least one)."""
        return max(1, int(simulated_s * self.inverse))

    def _copy(self, event: dict[str, Any], source: str, occurred: int) -> dict[str, Any]:
        """The event under a new id of the same source, at another moment."""
        copy = {**event, "event_id": self.builder.new_id(source)}
        copy["occurred_at"] = self.builder.stamp(source, min(occurred, self.latest))
        return copy

    def _notice(self, target: dict[str, Any], source: str) -> dict[str, Any]:
        """A retraction notice: a new event of the same source and scope naming the one it withdraws."""
        return {**target, "event_id": self.builder.new_id(source), "retracts": target["event_id"],
                "updated_at": self.builder.stamp(source, self.now),
                "detail": {"reason": self.content.choice(RETRACTION_REASONS)}}

    def _correction(self, item: Built) -> dict[str, Any]:
        """Same source and event_id, a later updated_at, and a changed occurred_at or detail."""
        rng = self.content
        _key, event, _value, source, published, occurred, updated = item
        stamped = max(self.now, (updated if updated is not None else published) + 1)
        fixed = {**event, "updated_at": self.builder.stamp(source, stamped)}
        detail = event.get("detail")
        if detail is not None and rng.random() < 0.6:
            fixed["detail"] = _amended(detail)
            return fixed
        shift = self._wall(rng.randint(60, 1200))
        limit = self.latest if "classifier" in event else min(stamped, self.end)
        later = rng.random() < 0.5 and occurred + shift <= limit
        fixed["occurred_at"] = self.builder.stamp(source, occurred + shift if later else occurred - shift)
        return fixed


def _amended(detail: dict[str, Any]) -> dict[str, Any]:
    """A detail with one value corrected (an inspection result, a mode, a size type...) or a remark."""
    out = dict(detail)
    for name in ("result", "mode", "size_type"):
        if out.get(name) in _FLIP:
            out[name] = _FLIP[out[name]]
            if name == "result" and out[name] == "NORMAL":
                out.pop("finding", None)
            elif name == "result":
                out["finding"] = "复查 re-examined"
            return out
    if "amount_cny" in out:
        out["amount_cny"] = round(out["amount_cny"] * 1.07 + 1, 2)
        return out
    out["remark"] = "更正 corrected"
    return out
