"""The marshmallow schema of a clearance event on the wire (schema_version 1).

This is the contract publishers code against (see docs/contract.md). Loading returns a plain dict of
normalised values; `events.codec` turns it into a `ClearanceEvent`.
"""
from __future__ import annotations

import enum
import json
import math
import re
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
# Bounds that keep one event from harming whoever stores, sends on or shows it (docs/contract.md §12).
MAX_DETAIL_DEPTH = 8  # objects and lists inside one another, `detail` itself the first
MAX_DETAIL_KEYS = 200  # keys of `detail` and of every object inside it, together
MAX_INTEGER_DIGITS = 4300  # what Python's JSON reader reads (sys.int_info.default_max_str_digits)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)  # excluded
OUT_OF_RANGE = "outside 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z (the end excluded)"
# C0 controls, DEL and C1 controls: never in identifiers, keys or timestamps; text in `detail` may hold
# tab, line feed and carriage return (multi-line remarks), nothing else of them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TOO_BIG = 10 ** MAX_INTEGER_DIGITS


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


def printable(text: str) -> str:
    """`text` with each control character written as a \\u escape: fit for a reason, a header or a log."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def control_problem(text: str, allowed: re.Pattern[str] = CONTROL) -> str | None:
    """'control character U+XXXX' for the first control character `allowed` does not let through."""
    found = allowed.search(text)
    return None if found is None else f"control character U+{ord(found.group()):04X}"


def detail_problem(detail: dict[str, Any]) -> str | None:
    """What makes a `detail` unfit to store and show, or None: nested too deep, too many keys, a control
    character in a key or a text, a number JSON cannot carry, a value JSON has not. Whatever it is
    given, it looks no deeper than MAX_DETAIL_DEPTH + 1 levels."""
    found = _value_problem(detail, 1, [0])
    if found is None:
        return None
    message, trail = found  # the path is only spelt out for a problem: most details have none
    return message.replace("@", printable("detail" + "".join(reversed(trail))))


Found = tuple[str, list[str]]  # a message with "@" where the path goes, and the path, innermost first


def _value_problem(value: Any, depth: int, keys: list[int]) -> Found | None:
    if isinstance(value, str):
        problem = control_problem(value, TEXT_CONTROL)
        return (f"{problem} in the text at @", []) if problem else None
    if isinstance(value, (dict, list)):
        if depth > MAX_DETAIL_DEPTH:
            return f"nested more than {MAX_DETAIL_DEPTH} levels deep", []
        return _object_problem(value, depth, keys) if isinstance(value, dict) else _list_problem(value, depth, keys)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -_TOO_BIG < value < _TOO_BIG else (
            f"the integer at @ has more than {MAX_INTEGER_DIGITS} digits", [])
    if isinstance(value, float):
        return None if math.isfinite(value) else ("the number at @ is not finite", [])
    return f"the value at @ is not JSON ({type(value).__name__})", []


def _list_problem(value: list[Any], depth: int, keys: list[int]) -> Found | None:
    for index, item in enumerate(value):
        if found := _value_problem(item, depth + 1, keys):
            found[1].append(f"[{index}]")
            return found
    return None


def _object_problem(value: dict[Any, Any], depth: int, keys: list[int]) -> Found | None:
    keys[0] += len(value)
    if keys[0] > MAX_DETAIL_KEYS:
        return f"more than {MAX_DETAIL_KEYS} keys (nested objects included)", []
    for key, item in value.items():
        if not isinstance(key, str):
            return "a key in @ is not a string", []
        if problem := control_problem(key):
            return f"{problem} in the key @", [f".{key}"]
        if found := _value_problem(item, depth + 1, keys):
            found[1].append(f".{key}")
            return found
    return None


def _no_control(value: str) -> None:
    if problem := control_problem(value):
        raise ValidationError(f"{problem} not allowed")


def _in_range(moment: datetime) -> None:
    if not EARLIEST <= moment < LATEST:  # aware datetimes compare without converting: no overflow
        raise ValidationError(OUT_OF_RANGE)


class Moment(fields.AwareDateTime):
    """An ISO 8601 date-time with a UTC offset, without control characters, from EARLIEST up to LATEST.
    The range is checked on the moment as given, before anything converts it: year 1 at +14:00 cannot
    be converted to UTC at all."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", validate=_in_range, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str):
            _no_control(value)
        return super()._deserialize(value, attr, data, **kwargs)


def _detail(value: dict[str, Any]) -> None:
    if problem := detail_problem(value):  # first: the size check below would recurse without bound
        raise ValidationError(problem)
    _detail_size(value)


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
    occurred_at = Moment(required=True)
    updated_at = Moment(load_default=None)
    classifier = fields.String(load_default=Classifier.ACTUAL.value, allow_none=True,
                               validate=validate.OneOf([c.value for c in Classifier]))
    direction = _enum(Direction)
    container_no = fields.String(load_default=None, validate=_checked(identifiers.container_no))
    containers = fields.List(fields.String(validate=_checked(identifiers.container_no)), load_default=None,
                             validate=validate.Length(min=1, max=MAX_CONTAINERS))
    declaration_no = fields.String(load_default=None, validate=_checked(identifiers.declaration_no))
    bl_no = fields.String(load_default=None, validate=[validate.Length(min=1, max=41), _no_control])
    vessel_imo = fields.String(load_default=None, validate=_checked(identifiers.vessel_imo))
    voyage = fields.String(load_default=None, validate=_code(16))
    terminal = fields.String(load_default=None, validate=_code(16))
    port = fields.String(load_default=None, validate=_checked(identifiers.locode))
    enterprise_uscc = fields.String(load_default=None, validate=_checked(identifiers.uscc_format))
    declarant_uscc = fields.String(load_default=None, validate=_checked(identifiers.uscc_format))
    customs_code = fields.String(load_default=None, validate=_code(8))
    retracts = fields.String(load_default=None, validate=_code(64))
    detail = fields.Dict(keys=fields.String(), load_default=None, validate=_detail)

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
