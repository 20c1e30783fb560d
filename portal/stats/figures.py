"""The arithmetic of the clearance figures, in plain Python: percentiles as PostgreSQL's
`percentile_cont` computes them, and the Kaplan–Meier share of visits ended within a time when some are
still open (right-censored)."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence

DECIMALS = 4  # hours: 0.36 s, well below what events are timed to


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks of sorted values, as `percentile_cont`: the value
    at position fraction × (n − 1). None for no values."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def rounded(hours: float | None) -> float | None:
    return None if hours is None else round(float(hours), DECIMALS)


def ended_minute(seconds: float) -> int:
    """The started minute a visit ended in (59 min 1 s → 60): the curve's unit."""
    return math.ceil(round(seconds, 3) / 60)


def open_minute(seconds: float) -> int:
    """The whole minutes an open visit is known not to have ended in (59 min 59 s → 59)."""
    return math.floor(round(seconds, 3) / 60)


def share_ended(ended: Mapping[int, int], censored: Mapping[int, int],
                within_minutes: Sequence[int]) -> list[float]:
    """Kaplan–Meier estimate of the share of visits ended within each given minute count.

    `ended` counts the visits that ended at each minute, `censored` the open ones by how long they have
    been open. At a minute where visits end and others are censored, the censored ones count as still
    at risk (the usual convention). Beyond the longest observation the estimate stays where it was.
    Returns [] when there is nothing to estimate from.
    """
    at_risk = sum(ended.values()) + sum(censored.values())
    if at_risk == 0:
        return []
    steps: list[tuple[int, float]] = []  # (minute, share still open after it)
    surviving = 1.0
    for minute in sorted(set(ended) | set(censored)):
        done = ended.get(minute, 0)
        if done:
            surviving *= 1.0 - done / at_risk
            steps.append((minute, surviving))
        at_risk -= done + censored.get(minute, 0)
    minutes = [minute for minute, _ in steps]
    return [1.0 - (steps[i - 1][1] if (i := bisect_right(minutes, limit)) else 1.0) for limit in within_minutes]
