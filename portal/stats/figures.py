"""The arithmetic of the clearance figures, in plain Python: percentiles as PostgreSQL's
`percentile_cont` computes them, and the Kaplan–Meier share of visits ended within a time when some are
still open (right-censored)."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate

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


MINUTE_TOLERANCE = 0.0005  # s: a duration of whole minutes, as SQLite's julianday arithmetic gives it back


def share_ended(ended: Mapping[int, int] | Sequence[Sequence[float]], censored: Mapping[int, int],
                within_minutes: Sequence[int]) -> list[float]:
    """Kaplan–Meier estimate of the share of visits ended within each given minute count.

    `ended` counts the visits that ended at each (started) minute, or lists their durations in seconds
    as sorted runs (ascending each; one per group, merged by nobody); `censored` counts the open ones by how long they have been open. At a minute where visits
    end and others are censored, the censored ones count as still at risk (the usual convention). Beyond
    the longest observation the estimate stays where it was. Returns [] when there is nothing to
    estimate from.

    Between two censoring times nobody leaves the risk set but by ending, so the product of the
    survival factors there telescopes to (at risk after) / (at risk before): the estimate needs only
    how many ended within each censoring time and each asked-for minute, not every minute.
    """
    within, total = _ended_within(ended)
    at_risk = total + sum(censored.values())
    if at_risk == 0:
        return []
    surviving, ended_before, shares = 1.0, 0, {}
    cuts = sorted(censored)
    cut = 0
    for limit in sorted(set(within_minutes)):
        while cut < len(cuts) and cuts[cut] < limit:
            ended_by = within(cuts[cut])
            surviving *= _staying(at_risk, ended_by - ended_before)
            at_risk -= ended_by - ended_before + censored[cuts[cut]]
            ended_before, cut = ended_by, cut + 1
        shares[limit] = 1.0 - surviving * _staying(at_risk, within(limit) - ended_before)
    return [shares[limit] for limit in within_minutes]


def _staying(at_risk: int, ending: int) -> float:
    return (at_risk - ending) / at_risk if at_risk else 1.0


def _ended_within(ended: Mapping[int, int] | Sequence[Sequence[float]]) -> tuple[Callable[[int], int], int]:
    """How many ended within a minute count, as a function, and how many ended at all."""
    if isinstance(ended, Mapping):
        minutes = sorted(ended)
        counts = list(accumulate(ended[minute] for minute in minutes))
        return (lambda limit: counts[i - 1] if (i := bisect_right(minutes, limit)) else 0), (counts[-1] if counts else 0)
    return (lambda limit: sum(bisect_right(run, limit * 60 + MINUTE_TOLERANCE) for run in ended),
            sum(len(run) for run in ended))
