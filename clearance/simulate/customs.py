"""Customs-side branches shared by export and import: declaration receipts, inspection, holds, release.

Receipt codes follow DOMAIN.md §4: L accepted, J/G/W reviewed, T duty payable, C inspection notice,
P/I released (B/K under guarantee), R closed, E rejected; two-step SpL/SpJ/SpC/SpK; manifest 01
accepted, 12 do-not-load, 13 do-not-discharge. HOLD_RELEASED repeats the code of the hold it lifts
(12/13, also in detail.hold_code), so a consumer can pair placement and release by customs_code.
"""
from __future__ import annotations

from random import Random

from clearance.simulate.durations import SHARES, draw
from clearance.simulate.scopes import CallPlan, ContainerScope, Shipment
from clearance.simulate.world import ABNORMAL_FINDINGS, HOLD_REASONS

CUSTOMS, TERMINAL, ENTERPRISE = "CUSTOMS", "TERMINAL", "ENTERPRISE"
_CODE = {c: {"customs_code": c} for c in ("L", "J", "G", "W", "T", "C", "P", "I", "B", "K", "R", "E",
                                           "SpL", "SpJ", "SpC", "SpK", "01", "11")}
_NORMAL = {"detail": {"result": "NORMAL"}}
_SCAN = {"detail": {"mode": "SCAN"}}
_MANUAL = {"detail": {"mode": "MANUAL"}}
_REJECTED = {"customs_code": "E", "detail": {"reason": "申报要素不全 incomplete declaration elements"}}
SHARED_EXTRAS = (*_CODE.values(), _NORMAL, _SCAN, _MANUAL, _REJECTED)


def code(value: str) -> dict[str, str]:
    """The shared extra-fields dict carrying one customs receipt code."""
    return _CODE[value]


def declare(rng: Random, p: CallPlan, sh: Shipment, filed: float, two_step: bool) -> tuple[float, float]:
    """Filed (maybe rejected and filed again), accepted, reviewed. Returns (accepted, reviewed) times."""
    sh.filed_t = filed
    scope, office = sh.declaration, sh.call.office
    # The filer publishes as itself: the broker when events name it, else the enterprise (自理报关)
    broker = sh.declarant.uscc if sh.name_declarant else sh.enterprise.uscc
    p.add(filed, scope, "DECLARATION_FILED", ENTERPRISE, broker)
    t = filed
    if rng.random() < SHARES.rejection:
        t += draw(rng, "reject")
        p.add(t, scope, "DECLARATION_REJECTED", CUSTOMS, office, _REJECTED)
        t += draw(rng, "refile")
        p.add(t, scope, "DECLARATION_FILED", ENTERPRISE, broker)
    accepted = t + draw(rng, "accept")
    p.add(accepted, scope, "DECLARATION_ACCEPTED", CUSTOMS, office, code("SpL" if two_step else "L"))
    reviewed = accepted + draw(rng, "review")
    p.add(reviewed, scope, "DECLARATION_REVIEWED", CUSTOMS, office,
          code("SpJ" if two_step else rng.choice("JJGW")))
    return accepted, reviewed


def duty(rng: Random, p: CallPlan, sh: Shipment, reviewed: float) -> float:
    """Duty payable notice; returns when the duty is paid (release may follow)."""
    notice = reviewed + draw(rng, "duty_notice")
    amount = round(rng.lognormvariate(9.5, 1.1), 2)
    p.add(notice, sh.declaration, "DUTY_PAYABLE", CUSTOMS, sh.call.office,
          {"customs_code": "T", "detail": {"amount_cny": amount}})
    return notice + draw(rng, "duty_payment")


def inspect(rng: Random, p: CallPlan, sh: Shipment, ordered: float, two_step: bool) -> tuple[float, bool]:
    """Inspection branch; returns (when the last inspected container was done, whether any abnormal)."""
    office, extra = sh.call.office, code("SpC" if two_step else "C")
    boxes = sh.containers
    if rng.random() < SHARES.declaration_level_order:
        p.add(ordered, sh.declaration, "INSPECTION_ORDERED", CUSTOMS, office, extra)
    else:
        if len(boxes) > 2 and rng.random() < 0.5:
            boxes = rng.sample(boxes, rng.randint(1, len(boxes) - 1))
        for box in boxes:
            p.add(ordered, box.declared, "INSPECTION_ORDERED", CUSTOMS, office, extra)
    done_last, abnormal_any = ordered, False
    for box in boxes:
        done, abnormal = _inspect_box(rng, p, box, ordered)
        done_last, abnormal_any = max(done_last, done), abnormal_any or abnormal
    return done_last, abnormal_any


def _inspect_box(rng: Random, p: CallPlan, box: ContainerScope, ordered: float) -> tuple[float, bool]:
    terminal = box.shipment.call.vessel.terminal.code
    twice = rng.random() < SHARES.second_reposition
    t = ordered + draw(rng, "stuck_reposition" if rng.random() < SHARES.stuck_reposition else "reposition_start")
    p.add(t, box, "REPOSITION_STARTED", TERMINAL, terminal, _SCAN if twice or rng.random() < 0.4 else _MANUAL)
    t += draw(rng, "reposition_move")
    p.add(t, box, "REPOSITIONED", TERMINAL, terminal)
    if twice:
        t += draw(rng, "scan_to_manual")
        p.add(t, box, "REPOSITION_STARTED", TERMINAL, terminal, _MANUAL)
        t += draw(rng, "reposition_move")
        p.add(t, box, "REPOSITIONED", TERMINAL, terminal)
    t += draw(rng, "inspect_20" if box.size.startswith("2") else "inspect_40")
    abnormal = rng.random() < SHARES.abnormal
    result = ({"detail": {"result": "ABNORMAL", "finding": rng.choice(ABNORMAL_FINDINGS)}}
              if abnormal else _NORMAL)
    p.add(t, box.declared, "INSPECTION_COMPLETED", CUSTOMS, box.shipment.call.office, result)
    return t, abnormal


def after_inspection(rng: Random, done: float, abnormal: bool) -> float:
    """When release can follow an inspection: soon if normal, after handling if abnormal."""
    return done + draw(rng, "abnormal_handling" if abnormal else "inspection_release")


def hold(rng: Random, p: CallPlan, box: ContainerScope, placed: float, hold_code: str,
         latest_release: float | None = None) -> float:
    """A manifest hold (12 do-not-load, 13 do-not-discharge) and its release; returns the release time."""
    office = box.shipment.call.office
    p.add(placed, box, "HOLD_PLACED", CUSTOMS, office,
          {"customs_code": hold_code,
           "detail": {"hold_code": hold_code, "reason": rng.choice(HOLD_REASONS[hold_code])}})
    released = placed + draw(rng, "hold")
    if latest_release is not None:
        released = max(placed + 60.0, min(released, latest_release))
    p.add(released, box, "HOLD_RELEASED", CUSTOMS, office,
          {"customs_code": hold_code, "detail": {"hold_code": hold_code}})
    return released


def release(rng: Random, p: CallPlan, sh: Shipment, t: float, two_step: bool = False) -> None:
    """Customs release: one declaration-level receipt, or one release per container."""
    if two_step:
        extra = code("SpK")
    elif rng.random() < SHARES.guarantee_release:
        extra = code(rng.choice("BK"))
    else:
        extra = code("I" if rng.random() < 0.05 else "P")
    office = sh.call.office
    if rng.random() < SHARES.declaration_level_release:
        p.add(t, sh.declaration, "CUSTOMS_RELEASED", CUSTOMS, office, extra)
    else:
        for box in sh.containers:
            p.add(t, box.declared, "CUSTOMS_RELEASED", CUSTOMS, office, extra)


def manifest(p: CallPlan, box: ContainerScope, t: float) -> None:
    """Manifest accepted for the box (receipt 01): pre-manifest for export, original for import."""
    p.add(t, box, "MANIFEST_ACCEPTED", CUSTOMS, box.shipment.call.office, _CODE["01"])


def close(p: CallPlan, sh: Shipment, t: float) -> None:
    """结关: the declaration is closed (code R)."""
    p.add(t, sh.declaration, "DECLARATION_CLOSED", CUSTOMS, sh.call.office, code("R"))
