"""The life of a laden container, export and import (DOMAIN.md §2), as plan items of its vessel call.

Export: pre-manifest → declaration (before gate-in when 提前申报) → gate-in + 运抵 → [inspection]
→ release → loading → (vessel departure) → 结关. 抵港直装: gate-in after the vessel arrived,
loading within the hour. A box released too late for its vessel is shut out (甩柜): never loaded.
Import: manifest → [advance or two-step declaration] → (vessel arrival) → discharge → declaration
→ [duty] → [inspection] → release → gate-out → 结关. 船边直提: released before discharge,
gate-out minutes after it. A few are never released, or not picked up for weeks (durations.Shares).
"""
from __future__ import annotations

from random import Random

from clearance.simulate import customs
from clearance.simulate.customs import TERMINAL
from clearance.simulate.durations import HOUR, SHARES, SIZE_TYPES, draw
from clearance.simulate.scopes import CallPlan, ContainerScope, Shipment

_SIZE_DETAIL = {s: {"detail": {"size_type": s}} for s in SIZE_TYPES}
# extra-fields dicts shared by many events, never changed: the builder encodes each once
SHARED_EXTRAS = (*customs.SHARED_EXTRAS, *_SIZE_DETAIL.values())
Gate = tuple[ContainerScope, float, float]  # box, gate-in, arrival reported


def plan_export(rng: Random, p: CallPlan, sh: Shipment, inspection_share: float) -> None:
    """Plan the events of one export shipment."""
    call = sh.call
    direct = rng.random() < SHARES.direct_loading
    advance = direct or rng.random() < SHARES.export_advance
    gates = _gate_in(rng, p, sh, direct)
    first_in = min(g[1] for g in gates)
    if advance:
        filed = first_in - draw(rng, "export_advance_lead")
    else:
        filed = first_in + draw(rng, "export_declare_late")
    _accepted, reviewed = customs.declare(rng, p, sh, filed, two_step=False)
    ready = max(reviewed, max(g[2] for g in gates))
    if rng.random() < SHARES.unreleased:
        return  # never released: the boxes wait in the yard and miss their vessel
    if not direct and rng.random() < inspection_share:
        ordered = ready + draw(rng, "inspection_order")
        done, abnormal = customs.inspect(rng, p, sh, ordered, two_step=False)
        ready = customs.after_inspection(rng, done, abnormal)
    released = ready + draw(rng, "export_release")
    customs.release(rng, p, sh, released)
    if _load(rng, p, gates, released, direct):
        customs.close(p, sh, call.td + draw(rng, "export_closure"))


def _gate_in(rng: Random, p: CallPlan, sh: Shipment, direct: bool) -> list[Gate]:
    """Pre-manifest, gate-in and arrival report of each box; a B/L's boxes come in one batch."""
    call = sh.call
    terminal = call.vessel.terminal.code
    if direct:
        trucked = rng.uniform(call.ta, call.td - 2.5 * HOUR)
    else:
        trucked = call.td - draw(rng, "export_gate_in_lead")
    gates: list[Gate] = []
    for box in sh.containers:
        gate_in = trucked - (draw(rng, "box_spread") * (0.1 if direct else 1.0) if gates else 0.0)
        customs.manifest(p, box, gate_in - draw(rng, "export_manifest_lead"))
        p.add(gate_in, box, "GATE_IN", TERMINAL, terminal, _SIZE_DETAIL[box.size])
        reported = gate_in + draw(rng, "arrival_report")
        p.add(reported, box, "ARRIVAL_REPORTED", TERMINAL, terminal)
        gates.append((box, gate_in, reported))
    return gates


def _load(rng: Random, p: CallPlan, gates: list[Gate], released: float, direct: bool) -> bool:
    """Load the released boxes (after any do-not-load hold); returns whether any was loaded."""
    loaded = False
    for box, _gate_in, reported in gates:
        call = box.shipment.call
        terminal = call.vessel.terminal
        earliest = max(call.ta + 0.3 * HOUR, released + 0.1 * HOUR)
        latest = call.td - 0.4 * HOUR
        if rng.random() < SHARES.hold:
            placed = reported + draw(rng, "inspection_order")
            earliest = max(earliest, customs.hold(rng, p, box, placed, "12") + 0.1 * HOUR)
        if earliest >= latest:
            continue  # shut out: stays in the yard, re-assigned later (not simulated)
        t = earliest + draw(rng, "direct_load") if direct else rng.uniform(earliest, latest)
        p.add(min(t, latest), box, "LOADED", terminal.ship_ops_source, terminal.ship_ops_publisher)
        loaded = True
    return loaded


def plan_import(rng: Random, p: CallPlan, sh: Shipment, inspection_share: float) -> None:
    """Plan the events of one import shipment."""
    call = sh.call
    two_step = rng.random() < SHARES.two_step
    direct = not two_step and rng.random() < SHARES.direct_pickup
    advance = direct or rng.random() < SHARES.import_advance
    discharges = _discharge(rng, p, sh)
    first_dis, last_dis = min(d for _, d in discharges), max(d for _, d in discharges)
    if advance:
        filed = call.ta - draw(rng, "import_advance_lead")
    else:
        filed = first_dis + draw(rng, "import_declare_late")
    _accepted, reviewed = customs.declare(rng, p, sh, filed, two_step)
    ready = max(reviewed, call.ta if direct else last_dis)
    if rng.random() < SHARES.unreleased:
        return  # never released: discharged boxes wait in the yard
    if not (two_step or direct) and rng.random() < SHARES.duty_payable:
        ready = max(ready, customs.duty(rng, p, sh, reviewed))
    if rng.random() < inspection_share:
        direct = False
        ordered = max(reviewed, last_dis) + draw(rng, "inspection_order")
        done, abnormal = customs.inspect(rng, p, sh, ordered, two_step)
        ready = max(ready, customs.after_inspection(rng, done, abnormal))
    released = ready + draw(rng, "inspection_release" if direct else "import_release")
    direct = direct and released < first_dis - 60.0  # else the fast lane was missed
    customs.release(rng, p, sh, released, two_step)
    last_out = released
    for box, discharged in discharges:
        if direct:
            out = discharged + draw(rng, "direct_pickup")
        else:
            wait = "stuck_pickup" if rng.random() < SHARES.stuck_pickup else "pickup"
            out = max(released, discharged) + draw(rng, wait)
        p.add(out, box, "GATE_OUT", TERMINAL, call.vessel.terminal.code)
        last_out = max(last_out, out)
    _close_import(rng, p, sh, released, last_out, two_step)


def _discharge(rng: Random, p: CallPlan, sh: Shipment) -> list[tuple[ContainerScope, float]]:
    """Manifest and discharge of each box (after any do-not-discharge hold)."""
    call = sh.call
    terminal = call.vessel.terminal
    out = []
    for box in sh.containers:
        customs.manifest(p, box, call.ta - draw(rng, "import_manifest_lead"))
        discharged = call.ta + rng.uniform(0.3 * HOUR, max(0.6 * HOUR, 0.6 * (call.td - call.ta)))
        if rng.random() < SHARES.hold:
            placed = call.ta - draw(rng, "hold_before_arrival")
            lifted = customs.hold(rng, p, box, placed, "13", latest_release=call.td - 1.5 * HOUR)
            discharged = max(discharged, lifted + 0.1 * HOUR)
        p.add(discharged, box, "DISCHARGED", terminal.ship_ops_source, terminal.ship_ops_publisher)
        out.append((box, discharged))
    return out


def _close_import(rng: Random, p: CallPlan, sh: Shipment, released: float, last_out: float,
                  two_step: bool) -> None:
    if two_step:  # the complete declaration, its duty and the closure come days after gate-out
        closed = last_out + draw(rng, "two_step_closure")
        customs.duty(rng, p, sh, (last_out + closed) / 2)
    elif rng.random() < SHARES.release_closes:
        closed = released
    else:
        closed = released + draw(rng, "import_closure")
    customs.close(p, sh, closed)
