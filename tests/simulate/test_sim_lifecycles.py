"""The planned lifecycles follow DOMAIN.md §2: order rules, branches, codes, realistic durations."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from .streams import CLEAN, at, decoded


def _timelines() -> dict[str, list[tuple[datetime, str, dict[str, Any]]]]:
    """Each container's ACTUAL events, fanned out from declarations and voyages, in time order."""
    events = [e for _, e in decoded(CLEAN)]
    declared, sailing = {}, defaultdict(set)
    for e in events:
        if "containers" in e:
            declared[e["declaration_no"]] = e["containers"]
        if "container_no" in e:
            sailing[(e["vessel_imo"], e["voyage"])].add(e["container_no"])
    lines = defaultdict(list)
    for e in events:
        if "classifier" in e:
            continue
        if "container_no" in e:
            boxes = [e["container_no"]]
        elif "declaration_no" in e:
            boxes = declared[e["declaration_no"]]
        else:
            boxes = sailing[(e["vessel_imo"], e["voyage"])]
        for box in boxes:
            lines[box].append((at(e["occurred_at"]), e["type"], e))
    return {box: sorted(line, key=lambda x: x[0]) for box, line in lines.items()}


def _first(line: list[tuple[datetime, str, dict[str, Any]]]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for t, kind, _ in line:
        first.setdefault(kind, t)
    return first


def test_hard_precedence_holds_in_the_planned_lifecycles() -> None:
    rules = {"EXPORT": [("ARRIVAL_REPORTED", "CUSTOMS_RELEASED"), ("LOADED", "VESSEL_DEPARTED")],
             "IMPORT": [("CUSTOMS_RELEASED", "GATE_OUT"), ("DISCHARGED", "GATE_OUT")]}
    checked = 0
    for line in _timelines().values():
        first = _first(line)
        for earlier, later in rules[line[0][2]["direction"]] + [("INSPECTION_ORDERED", "INSPECTION_COMPLETED"),
                                                               ("REPOSITIONED", "INSPECTION_COMPLETED")]:
            if earlier in first and later in first:
                assert first[earlier] <= first[later], (earlier, later, line)
                checked += 1
    assert checked > 5000


def test_every_branch_appears() -> None:
    events = [e for _, e in decoded(CLEAN)]
    codes = Counter((e["type"], e.get("customs_code")) for e in events)
    for pair in [("DECLARATION_ACCEPTED", "L"), ("DECLARATION_ACCEPTED", "SpL"), ("CUSTOMS_RELEASED", "SpK"),
                 ("CUSTOMS_RELEASED", "P"), ("INSPECTION_ORDERED", "C"), ("DECLARATION_CLOSED", "R"),
                 ("DECLARATION_REJECTED", "E"), ("DUTY_PAYABLE", "T"), ("HOLD_PLACED", "12"),
                 ("HOLD_PLACED", "13"), ("MANIFEST_ACCEPTED", "01")]:
        assert codes[pair] > 0, pair
    results = Counter(e["detail"]["result"] for e in events if e["type"] == "INSPECTION_COMPLETED")
    assert results["NORMAL"] > 5 * results["ABNORMAL"] > 0
    assert any(e["type"] == "CUSTOMS_RELEASED" and "container_no" not in e for e in events)
    assert any(e["type"] == "CUSTOMS_RELEASED" and "container_no" in e for e in events)
    assert {e["source"] for e in events} == {"CUSTOMS", "MARITIME", "TERMINAL", "CARRIER", "TALLY", "ENTERPRISE"}
    assert {e.get("classifier") for e in events} == {None, "ESTIMATED", "PLANNED"}
    assert all(1 <= len(e["containers"]) <= 3 for e in events if "containers" in e)


def test_fast_lanes_advance_declarations_and_repeated_repositioning() -> None:
    direct_pickup = advance = twice = 0
    for line in _timelines().values():
        first = _first(line)
        kinds = Counter(kind for _, kind, _ in line)
        twice += kinds["REPOSITION_STARTED"] >= 2
        if {"CUSTOMS_RELEASED", "DISCHARGED", "GATE_OUT"} <= set(first):
            quick = (first["GATE_OUT"] - first["DISCHARGED"]).total_seconds() < 3 * 3600
            direct_pickup += first["CUSTOMS_RELEASED"] < first["DISCHARGED"] and quick
        if {"DECLARATION_FILED", "GATE_IN"} <= set(first):
            advance += first["DECLARATION_FILED"] < first["GATE_IN"]
    assert direct_pickup > 20 and advance > 200 and twice > 3


def test_holds_are_released() -> None:
    for line in _timelines().values():
        placed = [e["customs_code"] for _, kind, e in line if kind == "HOLD_PLACED"]
        lifted = [e["customs_code"] for _, kind, e in line if kind == "HOLD_RELEASED"]
        assert len(lifted) <= len(placed) and set(lifted) <= set(placed)


def test_clearance_times_are_near_the_national_figures() -> None:
    imports, exports = [], []
    for line in _timelines().values():
        first = _first(line)
        if "CUSTOMS_RELEASED" not in first:
            continue
        if "VESSEL_ARRIVED" in first and line[0][2]["direction"] == "IMPORT":
            imports.append((first["CUSTOMS_RELEASED"] - first["VESSEL_ARRIVED"]).total_seconds() / 3600)
        if {"ARRIVAL_REPORTED", "DECLARATION_ACCEPTED"} <= set(first):
            ready = max(first["ARRIVAL_REPORTED"], first["DECLARATION_ACCEPTED"])
            exports.append((first["CUSTOMS_RELEASED"] - ready).total_seconds() / 3600)
    assert 15 < statistics.mean(imports) < 60  # national 32-35 h (2020-2022)
    assert 0.5 < statistics.mean(exports) < 4  # national 1.0-2.6 h


def test_some_lifecycles_are_stuck_past_their_limits() -> None:
    """DOMAIN.md §7 and §10: boxes not moved to the inspection platform for a day (warning) or three
    (alarm), declarations never released, released imports not picked up within 15 days."""
    not_moved = alarms = unreleased = not_picked_up = 0
    timelines = _timelines()
    end = max(line[-1][0] for line in timelines.values())
    for line in timelines.values():
        first = _first(line)
        if {"INSPECTION_ORDERED", "REPOSITION_STARTED"} <= set(first):
            waited = (first["REPOSITION_STARTED"] - first["INSPECTION_ORDERED"]).total_seconds() / 3600
            not_moved += waited >= 24
            alarms += waited >= 72
        if "DECLARATION_ACCEPTED" in first and "CUSTOMS_RELEASED" not in first:
            unreleased += (end - first["DECLARATION_ACCEPTED"]).days >= 7
        if {"CUSTOMS_RELEASED", "GATE_OUT"} <= set(first):
            not_picked_up += (first["GATE_OUT"] - first["CUSTOMS_RELEASED"]).days >= 15
    assert not_moved >= 5 and alarms >= 1 and unreleased >= 10 and not_picked_up >= 3, \
        (not_moved, alarms, unreleased, not_picked_up)
