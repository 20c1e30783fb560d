"""What the clearance figures measure (DOMAIN.md §6, §10), as one table: each measure runs from a start
milestone to an end milestone of `visit_milestones` (first ACTUAL occurrences), per direction.

Headline figures (`FIGURE`): GACC's overall clearance time (整体通关时间), customs time, the port
office's port-logistics time (通关物流全程时间) and port dwell. Stages (`STAGE`) decompose the
port-logistics time the way the 2017 national measurement did: import unloading, preparation, customs,
pickup; export preparation, customs, after release, departure.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from events.vocabulary import Direction
from models.milestones import LEAVES_AT, MILESTONE_COLUMNS


class StartRule(str, enum.Enum):
    FIRST_KNOWN = "first_known"  # the first of the start columns that is known (a fallback chain)
    LATEST = "latest"  # the later of all start columns; unknown until every one is known


class Kind(str, enum.Enum):
    FIGURE = "figure"
    STAGE = "stage"


@dataclass(frozen=True)
class Measure:
    name: str
    direction: Direction
    kind: Kind
    starts: tuple[str, ...]  # visit_milestones columns
    end: str
    start_rule: StartRule = StartRule.FIRST_KNOWN
    # The end came first: the step was done beforehand and took no time (a declaration accepted before
    # the box arrived). Otherwise an end before the start is a data error, left out and counted.
    zero_if_end_first: bool = False
    en: str = ""
    zh: str = ""


_I, _E, _F, _S = Direction.IMPORT, Direction.EXPORT, Kind.FIGURE, Kind.STAGE
_ARRIVAL = ("vessel_arrived_at", "discharged_at")  # vessel arrival, else discharge
MEASURES: tuple[Measure, ...] = (
    Measure("gacc", _I, _F, _ARRIVAL, "customs_released_at", en="Overall clearance time", zh="整体通关时间"),
    Measure("gacc", _E, _F, ("arrival_reported_at", "declaration_accepted_at"), "customs_released_at",
            StartRule.LATEST, en="Overall clearance time", zh="整体通关时间"),
    Measure("customs", _I, _F, ("declaration_accepted_at",), "customs_released_at", en="Customs time",
            zh="海关通关时间"),
    Measure("customs", _E, _F, ("declaration_accepted_at",), "customs_released_at", en="Customs time",
            zh="海关通关时间"),
    Measure("port_logistics", _I, _F, _ARRIVAL, "gate_out_at", en="Port logistics time", zh="通关物流全程时间"),
    Measure("port_logistics", _E, _F, ("arrival_reported_at",), "vessel_departed_at", en="Port logistics time",
            zh="通关物流全程时间"),
    Measure("dwell", _I, _F, ("discharged_at",), "gate_out_at", en="Port dwell", zh="港口停留时间"),
    Measure("dwell", _E, _F, ("gate_in_at",), "loaded_at", en="Port dwell", zh="港口停留时间"),
    Measure("unloading", _I, _S, ("vessel_arrived_at",), "discharged_at", en="Unloading", zh="卸船"),
    Measure("preparation", _I, _S, ("discharged_at",), "declaration_accepted_at", zero_if_end_first=True,
            en="Clearance preparation", zh="通关准备"),
    Measure("customs", _I, _S, ("declaration_accepted_at",), "customs_released_at", en="Customs clearance",
            zh="海关通关"),
    Measure("pickup", _I, _S, ("customs_released_at",), "gate_out_at", en="Pickup", zh="提离"),
    Measure("preparation", _E, _S, ("gate_in_at",), "declaration_accepted_at", zero_if_end_first=True,
            en="Clearance preparation", zh="通关准备"),
    Measure("customs", _E, _S, ("declaration_accepted_at",), "customs_released_at", en="Customs clearance",
            zh="海关通关"),
    Measure("after_release", _E, _S, ("customs_released_at",), "loaded_at", en="After release", zh="放行后装船"),
    Measure("departure", _E, _S, ("loaded_at",), "vessel_departed_at", en="Vessel departure", zh="船舶离港"),
)
FIGURE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(m.name for m in MEASURES if m.kind is Kind.FIGURE))

assert all(set(m.starts) | {m.end} <= MILESTONE_COLUMNS.keys() for m in MEASURES)


def figure(name: str, direction: str) -> Measure:
    """The headline figure `name` for a direction; KeyError when there is none."""
    for m in MEASURES:
        if m.kind is Kind.FIGURE and m.name == name and m.direction.value == direction:
            return m
    raise KeyError(f"no figure {name!r} for {direction}")


def stages(direction: str) -> list[Measure]:
    """The stages of a direction, in the order they happen."""
    return [m for m in MEASURES if m.kind is Kind.STAGE and m.direction.value == direction]

assert {m.direction: m.end for m in MEASURES if m.name == "port_logistics"} == LEAVES_AT, \
    "a visit leaves the port when its port-logistics time ends (models.milestones.LEAVES_AT)"
