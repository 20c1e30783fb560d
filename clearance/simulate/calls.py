"""Vessel calls and the time-ordered stream of every planned event (before any delivery effects).

Calls arrive one after another (each vessel needs days between calls: its rotation). Each call plans
its vessel events (ETA/ETD estimates by the carrier, actual arrival and departure per voyage) and the
export and import shipments it carries; the calls' plans are merged into one stream ordered by time.
"""
from __future__ import annotations

import heapq
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from random import Random

from clearance.simulate.config import MAX_ESTIMATE_LEAD_S, SimConfig
from clearance.simulate.durations import (
    HOUR,
    MAX_LEAD_S,
    SHARES,
    SIZE_TYPES,
    SIZE_WEIGHTS,
    draw,
)
from clearance.simulate.flows import plan_export, plan_import
from clearance.simulate.ids import bill_of_lading, container_number
from clearance.simulate.scopes import (
    CallPlan,
    ContainerScope,
    Plan,
    Shipment,
    VesselCall,
    VoyageScope,
)
from clearance.simulate.world import (
    BROKER_WEIGHTS,
    BROKERS,
    CARRIERS,
    CUSTOMS_OFFICES,
    ENTERPRISE_WEIGHTS,
    ENTERPRISES,
    MARITIME_PUBLISHER,
    VESSELS,
)

_SHIPMENT_SIZES = (1, 1, 1, 1, 2, 2, 3)  # containers per B/L and declaration


class CallFactory:
    """Makes the port's vessel calls in arrival order, each with its full plan of events."""

    def __init__(self, rng: Random, inspection_share: float) -> None:
        self.rng = rng
        self.inspection_share = inspection_share
        self.clock = 0.0
        self.used: set[str] = set()
        self.free_at = [rng.uniform(0, 3 * 24 * HOUR) for _ in VESSELS]
        self.voyage = [rng.randint(1, 120) for _ in VESSELS]
        self.sequence = {office: rng.randrange(10**8) for office in CUSTOMS_OFFICES}

    def next_call(self) -> tuple[float, list[Plan]]:
        """The next call: (earliest time any of its events can have, its plan sorted by time)."""
        rng = self.rng
        ta = self.clock + draw(rng, "call_interval")
        ready = [i for i, free in enumerate(self.free_at) if free <= ta]
        index = rng.choice(ready) if ready else min(range(len(VESSELS)), key=self.free_at.__getitem__)
        ta = max(ta, self.free_at[index])
        self.clock = ta
        call = VesselCall(VESSELS[index], ta, ta + draw(rng, "berth"), self.voyage[index])
        self.voyage[index] += 1
        self.free_at[index] = call.td + rng.uniform(3, 8) * 24 * HOUR
        plan = CallPlan(ta - MAX_LEAD_S)
        self._vessel_events(plan, call)
        for direction, planner in (("IMPORT", plan_import), ("EXPORT", plan_export)):
            boxes = rng.randint(*call.vessel.boxes)
            while boxes > 0:
                shipment = self._shipment(direction, call, min(boxes, rng.choice(_SHIPMENT_SIZES)))
                planner(rng, plan, shipment, self.inspection_share)
                boxes -= len(shipment.containers)
        plan.items.sort()
        return plan.floor, plan.items

    def _vessel_events(self, p: CallPlan, call: VesselCall) -> None:
        rng = self.rng
        inbound, outbound = VoyageScope(call, "IMPORT"), VoyageScope(call, "EXPORT")
        carrier = call.vessel.carrier
        for voyage, moment, etype, classifier in ((inbound, call.ta, "VESSEL_ARRIVED", "ESTIMATED"),
                                                   (outbound, call.td, "VESSEL_DEPARTED", "PLANNED")):
            for _ in range(rng.choice((1, 1, 2))):  # sometimes revised
                published = moment - draw(rng, "eta_lead")
                announced = moment + rng.gauss(0.0, 0.4 * HOUR)
                announced = min(max(announced, published + 0.2 * HOUR), published + MAX_ESTIMATE_LEAD_S)
                p.add(published, voyage, etype, "CARRIER", carrier, None, classifier, announced)
        terminal = call.vessel.terminal.code
        source, publisher = ("MARITIME", MARITIME_PUBLISHER) if rng.random() < 0.5 else ("TERMINAL", terminal)
        for voyage in (inbound, outbound):
            p.add(call.ta, voyage, "VESSEL_ARRIVED", source, publisher)
            p.add(call.td, voyage, "VESSEL_DEPARTED", source, publisher)

    def _shipment(self, direction: str, call: VesselCall, size: int) -> Shipment:
        rng = self.rng
        enterprise = rng.choices(ENTERPRISES, cum_weights=ENTERPRISE_WEIGHTS)[0]
        broker = rng.choices(BROKERS, cum_weights=BROKER_WEIGHTS)[0]
        self.sequence[call.office] += rng.randint(1, 60)
        shipment = Shipment(direction, call, enterprise, broker, rng.random() < SHARES.declarant_known,
                            bill_of_lading(rng, call.vessel.carrier), self.sequence[call.office])
        owners = CARRIERS[call.vessel.carrier].owner_codes
        for _ in range(size):
            number = container_number(rng, rng.choice(owners), self.used)
            size_type = SIZE_TYPES[bisect(SIZE_WEIGHTS, rng.random() * SIZE_WEIGHTS[-1])]
            shipment.containers.append(ContainerScope(number, shipment, size_type,
                                                      rng.random() < SHARES.port_field))
        return shipment


class Calls:
    """The port's vessel calls, in order. The first pass records them (up to MEMORY_LIMIT planned events)
    so that the second pass replays them instead of planning everything again."""

    MEMORY_LIMIT = 400_000

    def __init__(self, config: SimConfig) -> None:
        self.factory = CallFactory(Random(f"{config.seed}:life"), config.inspection_share)
        self.memory: deque[tuple[float, list[Plan]]] = deque()
        self.kept = 0
        self.overflow = False

    def first_pass(self) -> Iterator[tuple[float, list[Plan]]]:
        """Calls as planned, remembered for the second pass."""
        while True:
            call = self.factory.next_call()
            if not self.overflow:
                self.memory.append(call)
                self.kept += len(call[1])
                if self.kept > self.MEMORY_LIMIT:
                    self.overflow, self.memory = True, deque()
            yield call

    def second_pass(self, config: SimConfig) -> Iterator[tuple[float, list[Plan]]]:
        """The same calls again: replayed from memory, then planned on from where the first pass got."""
        if self.overflow:  # plan again from the start
            self.factory = CallFactory(Random(f"{config.seed}:life"), config.inspection_share)
        memory = self.memory
        while memory:
            yield memory.popleft()
        while True:
            yield self.factory.next_call()


def fresh_calls(config: SimConfig) -> Iterator[tuple[float, list[Plan]]]:
    """The port's vessel calls, planned from the start."""
    factory = CallFactory(Random(f"{config.seed}:life"), config.inspection_share)
    while True:
        yield factory.next_call()


def planned_events(calls: Iterator[tuple[float, list[Plan]]]) -> Iterator[Plan]:
    """Every planned event of the calls, in publication-time order (an endless stream)."""
    heap: list[tuple[float, int, int, list[Plan]]] = []
    floor, items = next(calls)
    made = 0
    while True:
        while not heap or heap[0][0] > floor:  # a call not yet made could still come first
            heapq.heappush(heap, (items[0][0], made, 0, items))
            made += 1
            floor, items = next(calls)
        _, number, index, current = heap[0]
        yield current[index]
        index += 1
        if index < len(current):
            heapq.heapreplace(heap, (current[index][0], number, index, current))
        else:
            heapq.heappop(heap)
