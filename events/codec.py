"""Bytes on Kafka <-> `ClearanceEvent`.

`decode` raises `InvalidEvent` for a message that can never be valid, whatever is retried: that is the
one error that sends a message to the dead-letter topic.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cached_property
from datetime import datetime, timezone
from typing import Any

from marshmallow import ValidationError

from events import identifiers
from events.fast_path import quick_load
from events.schema import EventSchema, printable
from events.vocabulary import DEFAULT_PORT, EVENT_TYPES, SCHEMA_VERSION, Scope

MAX_MESSAGE_BYTES = 65536
NEVER_UPDATED = "0000-00-00T00:00:00.000000Z"  # sorts before every real updated_at


class InvalidEvent(ValueError):
    """This message can never be a valid event. `reason` says why, precisely enough to fix it."""

    def __init__(self, reason: str) -> None:
        # What the reason quotes of the input (an unknown field's name) goes into a Kafka header, a log
        # line and an API answer: an unpaired surrogate must not stop that, a control character must not
        # forge a log line.
        reason = printable(reason.encode("utf-8", "backslashreplace").decode())
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ClearanceEvent:
    """One decoded, normalised event. Timestamps are aware and converted to UTC."""

    source: str
    event_id: str
    publisher: str
    type: str
    occurred_at: datetime
    direction: str
    classifier: str = "ACTUAL"
    updated_at: datetime | None = None
    container_no: str | None = None
    containers: tuple[str, ...] = ()
    declaration_no: str | None = None
    bl_no: str | None = None
    vessel_imo: str | None = None
    voyage: str | None = None
    terminal: str | None = None
    port: str = DEFAULT_PORT
    enterprise_uscc: str | None = None
    declarant_uscc: str | None = None
    customs_code: str | None = None
    retracts: str | None = None
    detail: dict[str, Any] | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """The event's identity: a correction or a retraction applies only to the same publisher's own
        event (docs/contract.md, "Identity")."""
        return (self.source, self.publisher, self.event_id)

    @property
    def retracted_key(self) -> tuple[str, str, str] | None:
        """The identity of the event this notice withdraws: the same source's and publisher's."""
        return (self.source, self.publisher, self.retracts) if self.retracts is not None else None

    @property
    def scope(self) -> Scope:
        return EVENT_TYPES[self.type].scope

    @cached_property
    def version(self) -> str:
        """Sortable version of this (source, event_id): newer updated_at wins; equal ones are ordered by
        content so that any two stores pick the same winner whatever order they saw them in."""
        stamp = _utc_text(self.updated_at) if self.updated_at else NEVER_UPDATED
        return f"{stamp}|{content_hash(self)}"

    def to_wire(self) -> dict[str, Any]:
        """The event as a contract JSON object (normalised values, UTC timestamps, empty fields left out)."""
        wire: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for name in _WIRE_FIELDS:
            value = getattr(self, name)
            if value is None or value == ():
                continue
            wire[name] = _utc_text(value) if isinstance(value, datetime) else value
        if self.containers:
            wire["containers"] = list(self.containers)
        return wire


_WIRE_FIELDS = tuple(f.name for f in fields(ClearanceEvent) if f.name != "warnings")
_schema = EventSchema()


def decode(value: bytes | None, *, max_bytes: int = MAX_MESSAGE_BYTES,
           schema: EventSchema | None = None) -> ClearanceEvent:
    """Decode one Kafka message value into an event, or raise InvalidEvent with the reason."""
    if not value:
        raise InvalidEvent("empty message (no value)")
    if len(value) > max_bytes:
        raise InvalidEvent(f"message is {len(value)} bytes, more than the limit of {max_bytes}")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidEvent(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:  # huge integers, absurd nesting
        raise InvalidEvent(f"not acceptable JSON: {type(exc).__name__}: {str(exc).split(';')[0][:120]}") from None
    # A valid UTF-8 text yields an unpaired surrogate only through a \u escape (and NaN never: see above)
    return from_document(document, schema=schema, check_encodable="\\u" in text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def from_document(document: Any, *, schema: EventSchema | None = None,
                  check_encodable: bool = True) -> ClearanceEvent:
    """Validate one parsed JSON document against the contract (used by decode and the HTTP API)."""
    if not isinstance(document, dict):
        raise InvalidEvent(f"not a JSON object but a JSON {_json_kind(document)}")
    schema = schema or _schema
    data = quick_load(document, schema.now())
    if data is None:  # something is off: the schema says exactly what
        try:
            data = schema.load(document)
        except ValidationError as exc:
            raise InvalidEvent(format_errors(exc.messages)) from None
    event = _event(data)
    if not check_encodable:
        return event
    try:
        encode(event)
    except UnicodeEncodeError:
        raise InvalidEvent("not valid Unicode: a string holds an unpaired surrogate") from None
    except ValueError as exc:  # NaN or Infinity in a document that did not come through decode
        raise InvalidEvent(f"not encodable as JSON: {exc}") from None
    return event


def _event(data: dict[str, Any]) -> ClearanceEvent:
    # The schema bounds both moments to 2000-2100 as given, so converting them cannot overflow
    data["occurred_at"] = data["occurred_at"].astimezone(timezone.utc)
    if data["updated_at"] is not None:
        data["updated_at"] = data["updated_at"].astimezone(timezone.utc)
    if data["vessel_imo"] is not None:
        data["vessel_imo"] = identifiers.vessel_imo(data["vessel_imo"])
    data["containers"] = tuple(sorted(set(data["containers"] or ())))
    data["port"] = data["port"] or DEFAULT_PORT
    data["classifier"] = data["classifier"] or "ACTUAL"
    data.pop("schema_version")
    warnings = [identifiers.uscc_warning(f, data[f]) for f in ("enterprise_uscc", "declarant_uscc") if data[f]]
    if data["declaration_no"]:
        warnings.append(identifiers.declaration_direction_warning(data["declaration_no"], data["direction"]))
    return ClearanceEvent(**data, warnings=tuple(w for w in warnings if w))


def format_errors(messages: Any, prefix: str = "") -> str:
    """Flatten marshmallow's nested error messages into 'field: message; other: message'."""
    if isinstance(messages, dict):
        parts = [format_errors(v, f"{prefix}{k}.") for k, v in sorted(messages.items(), key=lambda kv: str(kv[0]))]
        return "; ".join(parts)
    if isinstance(messages, list):
        return f"{prefix.rstrip('.')}: " + " ".join(str(m) for m in messages)
    return f"{prefix.rstrip('.')}: {messages}"


def encode(event: ClearanceEvent | dict[str, Any]) -> bytes:
    """The message value for an event (a ClearanceEvent or an already-wire dict)."""
    wire = event.to_wire() if isinstance(event, ClearanceEvent) else event
    return json.dumps(wire, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def message_key(event: ClearanceEvent | dict[str, Any]) -> bytes | None:
    """Partitioning key: container number, else declaration number, else 'IMO/voyage'."""
    get: Callable[[str], Any] = (lambda n: getattr(event, n)) if isinstance(event, ClearanceEvent) \
        else (lambda n: event.get(n))  # type: ignore[union-attr]
    key = get("container_no") or get("declaration_no")
    if not key and get("vessel_imo") and get("voyage"):
        imo = str(get("vessel_imo"))
        key = f"{imo[2:] if imo.startswith('UN') else imo}/{get('voyage')}"
    return key.encode() if key else None


def content_hash(event: ClearanceEvent) -> str:
    canonical = json.dumps(event.to_wire(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(canonical.encode()).hexdigest()[:16]


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_kind(document: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(document), "number")
