"""Deliberately malformed messages, one defect each, cycling through every kind.

Each is made from a recent valid container event (the specimen), so it looks like real traffic with
exactly one thing wrong. Their event ids live in a namespace of their own (…-X0000001), so they never
collide with a valid (source, event_id).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from random import Random
from typing import Any

from stdnum import iso6346

from clearance.simulate.builder import Builder, Built, stream_tag
from clearance.simulate.config import SimConfig
from clearance.simulate.world import MARITIME_PUBLISHER

Event = dict[str, Any]
Defect = Callable[["Malformed", Event], "tuple[bytes | None, bytes]"]
_REQUIRED = ("schema_version", "event_id", "source", "publisher", "type", "occurred_at", "direction")
_FALLBACK = "CSNU0000016"


def _missing(field: str) -> Defect:
    def defect(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
        del e[field]
        return m.key(e), m.encode(e)
    return defect


def _setting(field: str, value: Callable[[Malformed, Event], Any]) -> Defect:
    def defect(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
        e[field] = value(m, e)
        return m.key(e), m.encode(e)
    return defect


def _bad_check(number: str) -> str:
    good = iso6346.calc_check_digit(number[:10])
    return number[:10] + str((int(good) + 1) % 10)


def _bad_imo(imo: str) -> str:
    return imo[:6] + str((int(imo[6]) + 3) % 10)


def _not_utf8(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    e["detail"] = {"reason": "查验异常，待处理 inspection anomaly"}
    return m.key(e), m.encode_text(e).encode("gbk")  # a publisher that sends GBK


def _not_json(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    value = m.encode(e)
    return m.key(e), value[: len(value) // 2]


def _declaration_without_number(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    key = m.key(e)
    e.pop("declaration_no", None)
    e["containers"] = [e.pop("container_no")]
    e.update(type="DECLARATION_ACCEPTED", source="CUSTOMS", publisher="4215", customs_code="L")
    return key, m.encode(e)


def _vessel_without_voyage(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    names = ("schema_version", "event_id", "occurred_at", "direction", "vessel_imo")
    vessel = {name: e[name] for name in names}
    vessel.update(source="MARITIME", publisher=MARITIME_PUBLISHER, type="VESSEL_ARRIVED", port="CNYNT")
    return f"{e['vessel_imo']}/".encode(), m.encode(vessel)


def _without_container(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    del e["container_no"]
    e["type"] = "GATE_IN"
    return None, m.encode(e)


def _oversize(m: Malformed, e: Event) -> tuple[bytes | None, bytes]:
    return m.key(e), m.encode(e) + b" " * 66_000  # valid JSON, but more than 64 KiB


def _pick(*values: Any) -> Callable[[Malformed, Event], Any]:
    return lambda m, e: m.rng.choice(values)


def _far_future(m: Malformed, e: Event) -> str:
    return m.builder.china(m.config.start_epoch + 86400 * m.rng.randint(400, 800))


def _long_id(m: Malformed, e: Event) -> str:
    return f"{e['event_id']}-{'0123456789' * 8}"[: m.rng.randint(65, 90)]


_S = _setting
DEFECTS: dict[str, Defect] = {
    "not_utf8": _not_utf8,
    "not_json": _not_json,
    "json_array": lambda m, e: (m.key(e), b"[" + m.encode(e) + b"]"),
    "json_number": lambda m, e: (None, str(m.config.start_epoch).encode()),
    "json_string": lambda m, e: (m.key(e), json.dumps(e["type"]).encode()),
    "empty_object": lambda m, e: (m.key(e), b"{}"),
    **{f"missing_{field}": _missing(field) for field in _REQUIRED},
    "missing_enterprise_uscc": _missing("enterprise_uscc"),
    "null_type": _S("type", lambda m, e: None),
    "occurred_at_number": _S("occurred_at", lambda m, e: m.config.start_epoch * 1000),
    "containers_string": _S("containers", lambda m, e: f"{e['container_no']},{_FALLBACK}"),
    "containers_bad_entry": _S("containers", lambda m, e: [e["container_no"], _bad_check(_FALLBACK)]),
    "unknown_type": _S("type", _pick("CONTAINER_WASHED", "GATE_INN", "RELEASED")),
    "unknown_source": _S("source", _pick("PORT_AUTHORITY", "BROKER", "SHIPPER")),
    "bad_direction": _S("direction", _pick("TRANSIT", "IN", "BOTH")),
    "bad_classifier": _S("classifier", _pick("ACT", "EST", "FORECAST")),
    "bad_check_digit": _S("container_no", lambda m, e: _bad_check(e["container_no"])),
    "bad_container_format": _S("container_no", lambda m, e: e["container_no"][:-2]),
    "timestamp_no_offset": _S("occurred_at", lambda m, e: e["occurred_at"][:19]),
    "bad_timestamp_value": _S("occurred_at", lambda m, e: f"{e['occurred_at'][:4]}-13-32T25:61:00+08:00"),
    "timestamp_far_future": _S("occurred_at", _far_future),
    "bad_updated_at": _S("updated_at", _pick("yesterday", "20261120", "-")),
    "event_id_too_long": _S("event_id", _long_id),
    "detail_too_large": _S("detail", lambda m, e: {"note": "x" * m.rng.randint(4200, 9000)}),
    "detail_not_object": _S("detail", lambda m, e: "ABNORMAL"),
    "schema_version_2": _S("schema_version", lambda m, e: 2),
    "declaration_without_number": _declaration_without_number,
    "bad_declaration_no": _S("declaration_no", lambda m, e: m.config.start.strftime("4215%Y1") + "12345678"),
    "vessel_without_voyage": _vessel_without_voyage,
    "container_event_without_container": _without_container,
    "bad_imo_check_digit": _S("vessel_imo", lambda m, e: _bad_imo(e["vessel_imo"])),
    "bad_locode": _S("port", _pick("YANTAI", "CN-YNT", "CNYN1")),
    "oversize_message": _oversize,
}
MALFORMED_KINDS: tuple[str, ...] = tuple(DEFECTS)


class Malformed:
    """Makes malformed messages from specimens, cycling through DEFECTS in a shuffled order."""

    def __init__(self, rng: Random, builder: Builder, config: SimConfig) -> None:
        self.rng, self.builder, self.config = rng, builder, config
        self.tag = stream_tag(config)
        self.serial = 0
        self.queue: list[str] = []

    def key(self, event: Event) -> bytes | None:
        """The message key: the container number when there is a usable one."""
        number = event.get("container_no")
        return number.encode() if isinstance(number, str) else None

    def encode_text(self, event: Event) -> str:
        """JSON text as publishers send it."""
        return json.dumps(event, ensure_ascii=False, separators=(",", ":"))

    def encode(self, event: Event) -> bytes:
        """UTF-8 JSON bytes."""
        return self.encode_text(event).encode()

    def make(self, specimen: Built) -> tuple[bytes | None, bytes, str]:
        """(key, value, defect kind) of the next malformed message."""
        if not self.queue:
            self.queue = list(MALFORMED_KINDS)
            self.rng.shuffle(self.queue)
        kind = self.queue.pop()
        key, value = DEFECTS[kind](self, self._container_event(specimen))
        return key, value, kind

    def _container_event(self, specimen: Built) -> Event:
        event = dict(specimen[1])
        self.serial += 1
        event["event_id"] = f"{specimen[3][:3]}-{self.tag}-X{self.serial:07d}"
        for name in ("retracts", "updated_at", "classifier"):
            event.pop(name, None)
        if "container_no" not in event:
            containers = event.pop("containers", None) or [_FALLBACK]
            event["container_no"] = containers[0]
            event.update(type="GATE_IN", source="TERMINAL")
        event.setdefault("vessel_imo", "9321483")
        event.setdefault("enterprise_uscc", "91370600MA3C7N8X1U")
        return event
