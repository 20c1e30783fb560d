"""The marshmallow schema of a clearance event on the wire (schema_version 1).

This is the contract publishers code against (see docs/contract.md). Loading returns a plain dict of
normalised values; `events.codec` turns it into a `ClearanceEvent`.
"""
from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from events import identifiers
from events.provenance import provenance_errors
from events.vocabulary import EVENT_TYPES, SCHEMA_VERSION, Classifier, Direction, Scope, Source

MAX_DETAIL_BYTES = 4096
MAX_CONTAINERS = 500
FUTURE_TOLERANCE = timedelta(days=1)


def _checked(check: Callable[[str], str]) -> Callable[[str], None]:
    def run(value: str) -> None:
        try:
            check(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return run


def _code(max_len: int) -> validate.Validator:
    return validate.Regexp(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,%d}\Z" % (max_len - 1),
                           error=f"1 to {max_len} letters, digits or _ . - /")


def _detail_size(value: dict[str, Any]) -> None:
    try:
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        raise ValidationError("not valid Unicode: a string holds an unpaired surrogate") from None
    if size > MAX_DETAIL_BYTES:
        raise ValidationError(f"detail is {size} bytes, more than {MAX_DETAIL_BYTES}")


def _enum(enum_type: type[enum.Enum]) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf([m.value for m in enum_type]))


class EventSchema(Schema):
    """A clearance-stage event, version 1. `clock` gives 'now' for the future-timestamp rule."""

    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, strict=True, validate=validate.Equal(SCHEMA_VERSION))
    event_id = fields.String(required=True, validate=_code(64))
    source = _enum(Source)
    publisher = fields.String(required=True, validate=_code(32))
    type = fields.String(required=True, validate=validate.OneOf(sorted(EVENT_TYPES)))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    updated_at = fields.AwareDateTime(load_default=None, format="iso")
    classifier = fields.String(load_default=Classifier.ACTUAL.value, allow_none=True,
                               validate=validate.OneOf([c.value for c in Classifier]))
    direction = _enum(Direction)
    container_no = fields.String(load_default=None, validate=_checked(identifiers.container_no))
    containers = fields.List(fields.String(validate=_checked(identifiers.container_no)), load_default=None,
                             validate=validate.Length(min=1, max=MAX_CONTAINERS))
    declaration_no = fields.String(load_default=None, validate=_checked(identifiers.declaration_no))
    bl_no = fields.String(load_default=None, validate=validate.Length(min=1, max=41))
    vessel_imo = fields.String(load_default=None, validate=_checked(identifiers.vessel_imo))
    voyage = fields.String(load_default=None, validate=_code(16))
    terminal = fields.String(load_default=None, validate=_code(16))
    port = fields.String(load_default=None, validate=_checked(identifiers.locode))
    enterprise_uscc = fields.String(load_default=None, validate=_checked(identifiers.uscc_format))
    declarant_uscc = fields.String(load_default=None, validate=_checked(identifiers.uscc_format))
    customs_code = fields.String(load_default=None, validate=_code(8))
    retracts = fields.String(load_default=None, validate=_code(64))
    detail = fields.Dict(keys=fields.String(), load_default=None, validate=_detail_size)

    def __init__(self, *args: Any, clock: Callable[[], datetime] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def now(self) -> datetime:
        """The moment the future-timestamp rule measures from."""
        return self._clock()

    @validates_schema(skip_on_field_errors=True)
    def _scope_and_time(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        for field, message in scope_errors(data):
            errors.setdefault(field, []).append(message)
        latest = self.now() + FUTURE_TOLERANCE
        for field in ("occurred_at", "updated_at"):
            if data.get(field) is not None and data[field] > latest:
                errors.setdefault(field, []).append("more than a day in the future")
        if errors:
            raise ValidationError(errors)


def scope_errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Which identifiers the event's type requires (vocabulary.Scope), and whose trading enterprise it is."""
    scope = EVENT_TYPES[data["type"]].scope
    has = {name: data.get(name) is not None for name in ("container_no", "declaration_no", "vessel_imo", "voyage")}
    problems: list[tuple[str, str]] = []
    if scope is Scope.CONTAINER and not has["container_no"]:
        problems.append(("container_no", f"required for {data['type']}"))
    if scope is Scope.DECLARATION and not has["declaration_no"]:
        problems.append(("declaration_no", f"required for {data['type']}"))
    if scope is Scope.CONTAINER_OR_DECLARATION and not (has["container_no"] or has["declaration_no"]):
        problems.append(("container_no", f"container_no or declaration_no required for {data['type']}"))
    if scope is Scope.VESSEL:
        problems += [(f, f"required for {data['type']}") for f in ("vessel_imo", "voyage") if not has[f]]
    elif data.get("enterprise_uscc") is None:
        problems.append(("enterprise_uscc", f"required for {data['type']}"))
    return problems + provenance_errors(data)
