"""The arithmetic of the figures (portal/stats/figures.py) on examples worked by hand."""
from __future__ import annotations

import random

import pytest

from portal.stats.figures import ended_minute, open_minute, percentile_cont, share_ended


@pytest.mark.parametrize("values, fraction, expected", [
    ([], 0.5, None),
    ([7.0], 0.9, 7.0),
    ([1.0, 2.0, 3.0, 4.0, 10.0], 0.5, 3.0),
    ([1.0, 2.0, 3.0, 4.0, 10.0], 0.9, 7.6),  # position 3.6: 4 + 0.6 × 6
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
    ([0.0, 10.0], 0.9, 9.0),
    ([1.0, 2.0, 3.0, 4.0, 10.0], 1.0, 10.0),
])
def test_percentile_interpolates_like_percentile_cont(values: list[float], fraction: float,
                                                      expected: float | None) -> None:
    assert percentile_cont(values, fraction) == pytest.approx(expected)


def test_kaplan_meier_on_a_small_censored_example() -> None:
    """Ended at 10, 20, 20, 40 min; open for 15 and 30 min. 6 at risk: 10: 1 of 6 ends, S = 5/6; 15
    censored; 20: 2 of 4, S = 5/12; 30 censored; 40: 1 of 1, S = 0."""
    shares = share_ended({10: 1, 20: 2, 40: 1}, {15: 1, 30: 1}, [5, 10, 15, 20, 35, 40, 60])
    assert shares == pytest.approx([0.0, 1 / 6, 1 / 6, 7 / 12, 7 / 12, 1.0, 1.0])


def test_kaplan_meier_counts_the_censored_at_a_tie_as_still_at_risk() -> None:
    """Ended at 10 and 20; one open for 10 min: 3 at risk at 10 (1 ends, S = 2/3), 1 at 20 (S = 0)."""
    assert share_ended({10: 1, 20: 1}, {10: 1}, [10, 20]) == pytest.approx([1 / 3, 1.0])


def test_kaplan_meier_without_censoring_is_the_share_ended() -> None:
    assert share_ended({60: 1, 120: 2, 600: 1}, {}, [59, 60, 120, 599, 600]) == pytest.approx(
        [0.0, 0.25, 0.75, 0.75, 1.0])


def test_kaplan_meier_stays_flat_after_the_last_observation_and_empty_is_empty() -> None:
    assert share_ended({10: 1}, {20: 1}, [30, 10_000]) == pytest.approx([0.5, 0.5])
    assert share_ended({}, {}, [60]) == []


@pytest.mark.parametrize("seconds, ended, opened", [
    (3600.0, 60, 60), (3540.0 + 1, 60, 59), (3599.9999999, 60, 60), (0.0, 0, 0), (3600.0004, 60, 60)])
def test_minutes_of_a_duration(seconds: float, ended: int, opened: int) -> None:
    assert (ended_minute(seconds), open_minute(seconds)) == (ended, opened)


def step_by_step(ended: dict[int, int], censored: dict[int, int], within: list[int]) -> list[float]:
    """The Kaplan–Meier product minute by minute, as the textbook writes it (the reference)."""
    at_risk, surviving, shares = sum(ended.values()) + sum(censored.values()), 1.0, []
    steps = []
    for minute in sorted(set(ended) | set(censored)):
        if ended.get(minute):
            surviving *= 1 - ended[minute] / at_risk
        steps.append((minute, surviving))
        at_risk -= ended.get(minute, 0) + censored.get(minute, 0)
    for limit in within:
        known = [s for m, s in steps if m <= limit]
        shares.append(1 - (known[-1] if known else 1.0))
    return shares


@pytest.mark.parametrize("seed", range(40))
def test_kaplan_meier_from_counts_or_sorted_durations_equals_the_product_minute_by_minute(seed: int) -> None:
    """The kept days hand over sorted runs of durations in seconds, the live scan counts per minute: both give
    the textbook product, ties of ended and censored at one minute included."""
    rng = random.Random(seed)
    seconds = sorted(rng.choice([rng.randrange(0, 40) * 60.0, rng.uniform(0, 2400)])
                     for _ in range(rng.randrange(0, 60)))
    ended: dict[int, int] = {}
    for value in seconds:
        ended[ended_minute(value)] = ended.get(ended_minute(value), 0) + 1
    censored = {rng.randrange(0, 45): rng.randrange(1, 4) for _ in range(rng.randrange(0, 8))}
    within = sorted(rng.sample(range(0, 50), 8))
    expected = step_by_step(ended, censored, within) if seconds or censored else []
    assert share_ended(ended, censored, within) == pytest.approx(expected)
    assert share_ended([seconds], censored, within) == pytest.approx(expected)
    runs = [seconds[0::3], seconds[1::3], seconds[2::3]]  # sorted runs, one per group
    assert share_ended(runs, censored, within) == pytest.approx(expected)
