"""Stage durations and lifecycle branch shares, as tables (DOMAIN.md §2, §6, §7).

Durations are lognormal around a median, clamped to a plausible range, in simulated hours. The
medians are chosen so that the overall clearance times land near the national figures: import (vessel
arrival → release) about 30 h on average, export (later of arrival report and acceptance → release)
about 1-2 h; inspection steps follow the published operation time limits (调箱 within 30 min,
unstuffing 2 h for a 20', 3 h for a 40'). A few lifecycles get stuck past their limits (Shares:
never released, inspection box not moved for days, not picked up for weeks).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

HOUR = 3600.0
# Earliest event of a vessel call, relative to its arrival (used to merge calls in time order).
MAX_LEAD_S = 8 * 24 * HOUR


@dataclass(frozen=True)
class Spread:
    median_h: float
    sigma: float
    low_h: float
    high_h: float


DURATIONS: dict[str, Spread] = {
    # vessel calls
    "call_interval": Spread(2.5, 0.6, 0.3, 12),  # between successive vessel arrivals at the port
    "berth": Spread(14, 0.35, 5, 40),  # arrival → departure
    "eta_lead": Spread(3, 0.4, 1, 6),  # ETA/ETD published this long before
    # export
    "export_gate_in_lead": Spread(30, 0.55, 6, 96),  # gate-in before departure
    "box_spread": Spread(0.6, 1.0, 0.02, 12),  # gate-in of a B/L's other boxes before its first
    "export_manifest_lead": Spread(10, 0.7, 0.5, 48),  # pre-manifest accepted before gate-in
    "arrival_report": Spread(0.12, 0.6, 0.01, 2),  # 运抵 after gate-in
    "export_advance_lead": Spread(5, 0.8, 0.3, 40),  # 提前申报: filed before gate-in
    "export_declare_late": Spread(1.5, 0.8, 0.05, 20),  # filed after gate-in
    "export_release": Spread(0.45, 1.0, 0.02, 24),  # ready → released
    "export_closure": Spread(30, 0.6, 2, 240),  # departure → 结关
    "direct_load": Spread(0.6, 0.5, 0.1, 2),  # 抵港直装: release → loading
    # import
    "import_manifest_lead": Spread(36, 0.5, 6, 110),  # 原始舱单 accepted before arrival
    "import_advance_lead": Spread(14, 0.7, 2, 72),  # filed before arrival
    "import_declare_late": Spread(18, 0.9, 0.2, 200),  # filed after discharge
    "import_release": Spread(4, 1.0, 0.05, 120),  # ready → released
    "duty_notice": Spread(0.3, 0.8, 0.02, 6),  # reviewed → duty payable
    "duty_payment": Spread(1.5, 0.9, 0.05, 48),  # duty payable → paid (release may follow)
    "pickup": Spread(30, 0.8, 0.5, 300),  # released → gate-out
    "stuck_pickup": Spread(19 * 24, 0.2, 15 * 24, 40 * 24),  # released, then left in the yard past 15 days
    "direct_pickup": Spread(0.35, 0.5, 0.05, 2),  # 船边直提: discharge → gate-out
    "import_closure": Spread(6, 1.0, 0.1, 200),  # released → closed (when not the same moment)
    "two_step_closure": Spread(100, 0.6, 24, 900),  # two-step: gate-out → closed
    # declaration receipts
    "accept": Spread(0.1, 0.8, 0.005, 4),  # filed → accepted
    "review": Spread(0.2, 0.8, 0.01, 8),  # accepted → reviewed
    "reject": Spread(0.5, 0.8, 0.02, 8),  # filed → rejected
    "refile": Spread(2, 0.8, 0.1, 24),  # rejected → filed again
    # inspection and holds
    "inspection_order": Spread(0.3, 0.8, 0.01, 6),  # ready → inspection ordered
    "reposition_start": Spread(0.12, 0.5, 0.02, 6),  # ordered → 调箱 (ordered → in place: limit 30 min)
    "stuck_reposition": Spread(45, 0.5, 24, 120),  # ordered → 调箱, box forgotten (warn 24 h, alarm 72 h)
    "reposition_move": Spread(0.15, 0.45, 0.03, 3),  # 调箱 → 调箱到位 (with the above: ~6 % past 30 min)
    "scan_to_manual": Spread(0.4, 0.5, 0.1, 8),  # scan done → second 调箱 for manual inspection
    "inspect_20": Spread(1.1, 0.35, 0.3, 12),  # in place → done, 20' (limit 2 h: ~4 % past it)
    "inspect_40": Spread(1.6, 0.35, 0.4, 16),  # in place → done, 40' (limit 3 h)
    "inspection_release": Spread(0.5, 0.8, 0.02, 12),  # done (normal) → released
    "abnormal_handling": Spread(30, 0.7, 4, 240),  # done (abnormal) → released
    "hold": Spread(6, 0.9, 0.5, 96),  # hold placed → released
    "hold_before_arrival": Spread(8, 0.7, 1, 48),  # 禁卸 placed before vessel arrival
}


def draw(rng: Random, name: str) -> float:
    """A duration in simulated seconds for the stage `name` (see DURATIONS)."""
    s = DURATIONS[name]
    hours = s.median_h * math.exp(rng.gauss(0.0, s.sigma))
    return HOUR * min(max(hours, s.low_h), s.high_h)


@dataclass(frozen=True)
class Shares:
    """How often each lifecycle branch is taken (per shipment unless said otherwise)."""

    export_advance: float = 0.45  # 提前申报
    direct_loading: float = 0.06  # 抵港直装
    import_advance: float = 0.30
    two_step: float = 0.15  # 两步申报 (import)
    direct_pickup: float = 0.07  # 船边直提 (import)
    rejection: float = 0.03  # declaration rejected once, then filed again
    duty_payable: float = 0.6  # import declarations with duty to pay
    declaration_level_release: float = 0.35  # released by a declaration-level receipt
    declaration_level_order: float = 0.25  # inspection ordered on the whole declaration
    second_reposition: float = 0.35  # scan, then a second 调箱 for manual inspection
    abnormal: float = 0.08  # inspected containers with an abnormal result
    hold: float = 0.02  # per container: a manifest hold (12 do-not-load / 13 do-not-discharge)
    release_closes: float = 0.5  # import: release and closure carry the same timestamp
    guarantee_release: float = 0.05  # released under guarantee (B/K)
    port_field: float = 0.8  # events that spell out port CNYNT (the rest rely on the default)
    declarant_known: float = 0.85  # events that name the customs broker
    # stuck past their limits (DOMAIN.md §7, §10), so the dashboard has something overdue to show
    unreleased: float = 0.012  # declarations never released (import: not released after 7 days...)
    stuck_reposition: float = 0.08  # inspected boxes not moved to the inspection platform for a day or more
    stuck_pickup: float = 0.015  # import boxes not picked up within 15 days of release


SHARES = Shares()
SIZE_TYPES = ("22G1", "45G1", "42G1", "45R1")
SIZE_WEIGHTS = (35, 80, 95, 100)  # cumulative
