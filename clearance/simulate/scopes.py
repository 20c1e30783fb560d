"""What an event is about (a container, a declaration, a voyage) and the plan of a vessel call's events.

A plan item is a plain tuple, cheap to make and sort:
    (t, n, scope, type, source, publisher, extra, classifier, t_occurred)
`t` is when the event is published, in simulated seconds (the stream is ordered by it); `t_occurred`
is the moment it announces when that differs (ESTIMATED/PLANNED), else None. A scope turns into the
message key and the event's identifying fields only when the stream is built (`resolve`), because a
declaration number carries the year its declaration was filed, known only once the clock is fixed.
"""
from __future__ import annotations

from typing import Any, Protocol

from clearance.simulate.ids import declaration_number
from clearance.simulate.world import PORT, Party, Vessel

Plan = tuple  # (t, n, scope, type, source, publisher, extra, classifier, t_occurred)
Fields = dict[str, Any]


class Clock(Protocol):
    def year_of(self, t: float) -> int:
        """Calendar year of simulated time t."""

    def encode(self, value: Any) -> str:
        """Compact JSON text of a value."""


class Scope:
    """Base: resolves once to (key bytes, identifying fields, their JSON as a ",…" fragment), cached."""

    __slots__ = ("_resolved",)

    def __init__(self) -> None:
        self._resolved: tuple[bytes, Fields, str] | None = None

    def resolve(self, clock: Clock) -> tuple[bytes, Fields, str]:
        """(key, fields, fields as a ",…" JSON fragment), made on first use."""
        if self._resolved is None:
            key, fields = self._make(clock)
            self._resolved = key, fields, "," + clock.encode(fields)[1:-1]
        return self._resolved

    def _make(self, clock: Clock) -> tuple[bytes, Fields]:
        raise NotImplementedError


class VesselCall:
    """One call of a vessel at its terminal: import voyage in, export voyage out."""

    __slots__ = ("office", "ta", "td", "vessel", "voyage_in", "voyage_out")

    def __init__(self, vessel: Vessel, ta: float, td: float, number: int) -> None:
        self.vessel, self.ta, self.td = vessel, ta, td
        self.voyage_in = f"{number % 1000:03d}{vessel.bounds[0]}"
        self.voyage_out = f"{number % 1000:03d}{vessel.bounds[1]}"
        self.office = vessel.terminal.office


class VoyageScope(Scope):
    __slots__ = ("call", "direction", "voyage")

    def __init__(self, call: VesselCall, direction: str) -> None:
        super().__init__()
        self.call, self.direction = call, direction
        self.voyage = call.voyage_in if direction == "IMPORT" else call.voyage_out

    def _make(self, clock: Clock) -> tuple[bytes, Fields]:
        imo = self.call.vessel.imo
        fields = {"direction": self.direction, "vessel_imo": imo, "voyage": self.voyage,
                  "terminal": self.call.vessel.terminal.code, "port": PORT}
        return f"{imo}/{self.voyage}".encode(), fields


class Shipment:
    """One B/L and its customs declaration (1-3 containers of one enterprise)."""

    __slots__ = (
        "_number",
        "bl_no",
        "call",
        "containers",
        "declarant",
        "declaration",
        "direction",
        "enterprise",
        "filed_t",
        "name_declarant",
        "sequence",
        "voyage",
    )

    def __init__(self, direction: str, call: VesselCall, enterprise: Party, declarant: Party,
                 name_declarant: bool, bl_no: str, sequence: int) -> None:
        self.direction, self.call = direction, call
        self.voyage = call.voyage_in if direction == "IMPORT" else call.voyage_out
        self.enterprise, self.declarant, self.name_declarant = enterprise, declarant, name_declarant
        self.bl_no, self.sequence = bl_no, sequence
        self.filed_t = call.ta
        self.containers: list[ContainerScope] = []
        self.declaration = DeclarationScope(self)
        self._number: str | None = None

    def number(self, clock: Clock) -> str:
        """The customs entry number (office, year of filing, direction flag, sequence)."""
        if self._number is None:
            year = clock.year_of(self.filed_t)
            self._number = declaration_number(self.call.office, year, self.direction, self.sequence)
        return self._number

    def parties(self) -> Fields:
        """The trading enterprise, and the customs broker when events name it."""
        out = {"enterprise_uscc": self.enterprise.uscc}
        if self.name_declarant:
            out["declarant_uscc"] = self.declarant.uscc
        return out


class DeclarationScope(Scope):
    __slots__ = ("shipment",)

    def __init__(self, shipment: Shipment) -> None:
        super().__init__()
        self.shipment = shipment

    def _make(self, clock: Clock) -> tuple[bytes, Fields]:
        sh = self.shipment
        number = sh.number(clock)
        fields = {"direction": sh.direction, "declaration_no": number,
                  "containers": [c.number for c in sh.containers], "bl_no": sh.bl_no,
                  "vessel_imo": sh.call.vessel.imo, "voyage": sh.voyage,
                  "terminal": sh.call.vessel.terminal.code, "port": PORT, **sh.parties()}
        return number.encode(), fields


class ContainerScope(Scope):
    __slots__ = ("declared", "number", "shipment", "size", "with_port")

    def __init__(self, number: str, shipment: Shipment, size: str, with_port: bool) -> None:
        super().__init__()
        self.number, self.shipment, self.size, self.with_port = number, shipment, size, with_port
        self.declared = ContainerDeclarationScope(self)

    def _make(self, clock: Clock) -> tuple[bytes, Fields]:
        sh = self.shipment
        fields = {"direction": sh.direction, "container_no": self.number, "bl_no": sh.bl_no,
                  "vessel_imo": sh.call.vessel.imo, "voyage": sh.voyage,
                  "terminal": sh.call.vessel.terminal.code}
        if self.with_port:
            fields["port"] = PORT
        fields.update(sh.parties())
        return self.number.encode(), fields


class ContainerDeclarationScope(Scope):
    """A container event that also names the declaration (inspection, release per container)."""

    __slots__ = ("container",)

    def __init__(self, container: ContainerScope) -> None:
        super().__init__()
        self.container = container

    def _make(self, clock: Clock) -> tuple[bytes, Fields]:
        key, fields, _ = self.container.resolve(clock)
        return key, {**fields, "declaration_no": self.container.shipment.number(clock)}


class CallPlan:
    """Collects the plan items of one vessel call; no item is earlier than `floor`."""

    __slots__ = ("floor", "items")

    def __init__(self, floor: float) -> None:
        self.items: list[Plan] = []
        self.floor = floor

    def add(self, t: float, scope: Scope, etype: str, source: str, publisher: str,
            extra: Fields | None = None, classifier: str | None = None, t_occ: float | None = None) -> None:
        """Plan one event published at t (announcing t_occ when ESTIMATED/PLANNED)."""
        t = max(t, self.floor)
        self.items.append((t, len(self.items), scope, etype, source, publisher, extra, classifier, t_occ))
