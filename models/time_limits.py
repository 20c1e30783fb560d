"""Operation time limits (作业时限), as a table, and which rule applies to a container visit.

A step runs from a start milestone of a visit (a `visit_milestones` column: the first ACTUAL time of an
event type) to the first of its end milestones. A rule gives a step a warning and an alarm threshold
(seconds after the start; the alarm is the limit, the warning comes before it) and a published commitment
(the share of steps to be done within the limit). Rules are port-wide or a terminal's own, for any
container size or one size. Of the rules of a step, a visit follows the most specific one that fits it:
its terminal's rule for its size, else its terminal's rule for any size, else the port-wide rule for its
size, else the port-wide rule for any size. A rule that is switched off still stands in the way of the
less specific ones (a terminal that turns a step off does not fall back to the port-wide limit).

Pure: no database access here. `models.alert_rules` stores the rules, `models.overdue` turns them into SQL.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from events.vocabulary import Direction
from models.milestones import MILESTONE_COLUMNS

MINUTE, HOUR, DAY = 60, 3600, 86400

# The visit milestones a rule may start or end at: columns of visit_milestones, each the first ACTUAL time
# of an event type.
MILESTONES: dict[str, str] = MILESTONE_COLUMNS
CONTAINER_SIZES = (20, 40, 45)


class RuleError(ValueError):
    """A rule's thresholds, milestones or scope are not acceptable; the message says why."""


@dataclass(frozen=True)
class StepRule:
    """One rule: which step, where it applies, its thresholds and commitment."""

    step: str
    name_en: str
    name_zh: str
    direction: str | None  # None: both directions
    start: str
    ends: tuple[str, ...]
    requires: tuple[str, ...]  # milestones that must be set too for the step to count (none usually)
    warning_seconds: int | None  # None: no warning tier
    alarm_seconds: int
    commitment_percent: float | None  # None: no commitment published
    terminal: str | None = None  # None: port-wide
    size: int | None = None  # None: any size
    enabled: bool = True


_IMPORT, _EXPORT = Direction.IMPORT.value, Direction.EXPORT.value

# The defaults (DOMAIN.md §7 and §10), seeded into alert_rules. Where a source gives one figure, it is the
# alarm (the limit) and the warning is ours, at about three quarters of it. The tally report limit
# (5 min after completion) is left out: the contract has no tally-report event, so no milestone says when
# a tally report was made (tally publishes DISCHARGED and LOADED only).
DEFAULT_RULES: tuple[StepRule, ...] = (
    StepRule("REPOSITION", "Move to the inspection platform after an inspection order", "查验通知后调箱到位",
             None, "inspection_ordered_at", ("repositioned_at", "inspection_completed_at"), (),
             30 * MINUTE, 60 * MINUTE, 99.0),
    StepRule("INSPECTION", "Inspection after repositioning", "调箱到位后查验完毕", None,
             "repositioned_at", ("inspection_completed_at",), (), 90 * MINUTE, 2 * HOUR, None, size=20),
    StepRule("INSPECTION", "Inspection after repositioning", "调箱到位后查验完毕", None,
             "repositioned_at", ("inspection_completed_at",), (), 135 * MINUTE, 3 * HOUR, None),
    StepRule("IMPORT_RELEASE", "Import released after vessel arrival", "进口船舶抵港后海关放行", _IMPORT,
             "vessel_arrived_at", ("customs_released_at",), (), 7 * DAY, 14 * DAY, None),
    StepRule("IMPORT_PICKUP", "Import picked up after release", "进口放行后提箱出闸", _IMPORT,
             "customs_released_at", ("gate_out_at",), (), 12 * DAY, 15 * DAY, None),
    StepRule("EXPORT_LOADING", "Released export loaded before the vessel departs", "出口放行后随船装载",
             _EXPORT, "vessel_departed_at", ("loaded_at",), ("customs_released_at",), None, 0, None),
    StepRule("GATE_OUT_UNRELEASED", "Import left the gate without customs release", "进口未放行出闸",
             _IMPORT, "gate_out_at", ("customs_released_at",), (), None, 0, None),
    StepRule("LOADED_UNRELEASED", "Export loaded without customs release", "出口未放行装船", _EXPORT,
             "loaded_at", ("customs_released_at",), (), None, 0, None),
)
DEFAULT_STEPS: dict[str, StepRule] = {r.step: r for r in DEFAULT_RULES if r.size is None}


def check_thresholds(warning_seconds: int | None, alarm_seconds: int) -> None:
    """RuleError unless 0 <= warning < alarm <= 366 days (the warning must show before the limit)."""
    if not 0 <= alarm_seconds <= 366 * DAY:
        raise RuleError("alarm_seconds must be between 0 and 366 days")
    if warning_seconds is not None and not 0 <= warning_seconds < alarm_seconds:
        raise RuleError("warning_seconds must be at least 0 and less than alarm_seconds "
                        "(a warning shows before the limit is breached)")


def check_commitment(commitment_percent: float | None) -> None:
    if commitment_percent is not None and not 0 < commitment_percent <= 100:
        raise RuleError("commitment_percent must be above 0 and at most 100")


def check_size(size: int | None) -> None:
    if size is not None and size not in CONTAINER_SIZES:
        raise RuleError(f"size must be one of {', '.join(map(str, CONTAINER_SIZES))} or null (any size)")


def specificity(terminal: str | None, size: int | None) -> tuple[bool, bool]:
    """Higher sorts more specific: a terminal's own rule beats a port-wide one, then a size beats any."""
    return (terminal is not None, size is not None)


def fits(terminal: str | None, size: int | None, visit_terminal: str | None, visit_size: int | None) -> bool:
    """Does a rule of this terminal and size fit a visit, leaving more specific rules aside?"""
    return terminal in (None, visit_terminal) and size in (None, visit_size)


def resolve(rules: Iterable[StepRule], step: str, visit_terminal: str | None,
            visit_size: int | None) -> StepRule | None:
    """The rule of `step` a visit at this terminal, of this size, follows (None: no rule fits)."""
    fitting = [r for r in rules if r.step == step and fits(r.terminal, r.size, visit_terminal, visit_size)]
    return max(fitting, key=lambda r: specificity(r.terminal, r.size), default=None)


@dataclass(frozen=True)
class Applicability:
    """Where one rule applies, as plain conditions on a visit's terminal and size, so that SQL can select
    its visits: `terminal`/`size` when the rule names one, minus the terminals, sizes and (terminal, size)
    pairs that a more specific rule of the same step takes. A NULL terminal or size is never excluded."""

    terminal: str | None
    size: int | None
    except_terminals: frozenset[str] = frozenset()
    except_sizes: frozenset[int] = frozenset()
    except_pairs: frozenset[tuple[str, int]] = frozenset()

    def matches(self, visit_terminal: str | None, visit_size: int | None) -> bool:
        if self.terminal is not None and visit_terminal != self.terminal:
            return False
        if self.size is not None and visit_size != self.size:
            return False
        if visit_terminal is not None and visit_terminal in self.except_terminals:
            return False
        if visit_size is not None and visit_size in self.except_sizes:
            return False
        return (visit_terminal, visit_size) not in self.except_pairs


def applicability(rule: StepRule, rules: Iterable[StepRule]) -> Applicability:
    """Where `rule` applies, given every rule (any step; only those of its step count)."""
    keys = {(r.terminal, r.size) for r in rules if r.step == rule.step}
    if rule.terminal is not None and rule.size is not None:
        return Applicability(rule.terminal, rule.size)
    if rule.terminal is not None:
        return Applicability(rule.terminal, None,
                             except_sizes=frozenset(z for t, z in keys if t == rule.terminal and z is not None))
    if rule.size is not None:
        return Applicability(None, rule.size, except_terminals=frozenset(
            t for t, z in keys if t is not None and z in (None, rule.size)))
    return Applicability(None, None,
                         except_terminals=frozenset(t for t, z in keys if t is not None and z is None),
                         except_sizes=frozenset(z for t, z in keys if t is None and z is not None),
                         except_pairs=frozenset((t, z) for t, z in keys if t is not None and z is not None))
