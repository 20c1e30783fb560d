"""The time-limit table and which rule a visit follows (pure: no database)."""
from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from models.time_limits import (
    DEFAULT_RULES,
    DEFAULT_STEPS,
    MILESTONES,
    RuleError,
    StepRule,
    applicability,
    check_thresholds,
    resolve,
)

TERMINALS = ("YTCT", "YTGD", "YTDG", None)
SIZES = (20, 40, 45, None)
INSPECTION = DEFAULT_STEPS["INSPECTION"]


def test_defaults_name_known_milestones_and_warn_before_the_alarm() -> None:
    for rule in DEFAULT_RULES:
        assert {rule.start, *rule.ends, *rule.requires} <= MILESTONES.keys(), rule.step
        check_thresholds(rule.warning_seconds, rule.alarm_seconds)
    assert {r.step for r in DEFAULT_RULES} == set(DEFAULT_STEPS)
    # every step has a port-wide rule for any size, so every visit of its direction follows one
    assert all(resolve(DEFAULT_RULES, step, "YTCT", None) is not None for step in DEFAULT_STEPS)


def test_inspection_limit_depends_on_the_size() -> None:
    assert resolve(DEFAULT_RULES, "INSPECTION", "YTCT", 20).alarm_seconds == 2 * 3600  # type: ignore[union-attr]
    for size in (40, 45, None):
        assert resolve(DEFAULT_RULES, "INSPECTION", "YTCT", size).alarm_seconds == 3 * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize("warning, alarm", [(60, 60), (61, 60), (-1, 60), (None, -1), (0, 400 * 86400)])
def test_thresholds_refused(warning: int | None, alarm: int) -> None:
    with pytest.raises(RuleError):
        check_thresholds(warning, alarm)


def test_most_specific_rule_wins() -> None:
    rules = [replace(INSPECTION, alarm_seconds=1), replace(INSPECTION, size=20, alarm_seconds=2),
             replace(INSPECTION, terminal="YTCT", alarm_seconds=3),
             replace(INSPECTION, terminal="YTCT", size=40, alarm_seconds=4)]
    assert resolve(rules, "INSPECTION", "YTGD", 40).alarm_seconds == 1  # type: ignore[union-attr]
    assert resolve(rules, "INSPECTION", "YTGD", 20).alarm_seconds == 2  # type: ignore[union-attr]
    assert resolve(rules, "INSPECTION", "YTCT", 20).alarm_seconds == 3  # type: ignore[union-attr]  # terminal first
    assert resolve(rules, "INSPECTION", "YTCT", 40).alarm_seconds == 4  # type: ignore[union-attr]
    assert resolve(rules, "INSPECTION", None, None).alarm_seconds == 1  # type: ignore[union-attr]
    assert resolve(rules, "REPOSITION", "YTCT", 40) is None


def random_rules(rng: random.Random) -> list[StepRule]:
    keys = rng.sample(list(itertools.product(TERMINALS, SIZES)), rng.randint(1, 8))
    rules = [replace(INSPECTION, terminal=t, size=z, alarm_seconds=i) for i, (t, z) in enumerate(keys)]
    return rules + [replace(DEFAULT_STEPS["REPOSITION"], terminal="YTCT")]  # another step: never counts


@pytest.mark.parametrize("seed", range(200))
def test_each_visit_matches_exactly_the_rule_it_follows(seed: int) -> None:
    """The SQL the watcher runs is built from `applicability`; it must select, for every terminal and size
    (NULL included), the visits of exactly the rule `resolve` picks."""
    rules = random_rules(random.Random(seed))
    inspection = [r for r in rules if r.step == "INSPECTION"]
    for terminal, size in itertools.product(TERMINALS + ("OTHER",), SIZES):
        matching = [r for r in inspection if applicability(r, rules).matches(terminal, size)]
        followed = resolve(rules, "INSPECTION", terminal, size)
        assert matching == ([followed] if followed else []), (terminal, size, rules)
