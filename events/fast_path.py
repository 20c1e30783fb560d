"""A quick validator for the common case: a well-formed event, checked field by field with plain Python.

`quick_load` returns exactly what `EventSchema.load` returns for a document it can vouch for, and None
for anything else: unknown fields, wrong types, a failing check. The caller then runs the marshmallow
schema, which stays the single source of every rejection reason. So this path can only be faster, never
more lenient (tests/events/test_fast_path.py compares the two on simulated streams, the bad-input
corpus and generated mutations). Marshmallow spends ~55 µs on an event; this ~10.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from events import identifiers
from events.schema import (
    EARLIEST, FUTURE_TOLERANCE, LATEST, MAX_CONTAINERS, MAX_DETAIL_BYTES, detail_problem, scope_errors)
from events.vocabulary import EVENT_TYPES, SCHEMA_VERSION, Classifier, Direction, Source

Check = Callable[[Any], bool]


def _code(max_len: int) -> Check:
    pattern = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,%d}\Z" % (max_len - 1))
    return lambda v: type(v) is str and pattern.match(v) is not None


def _one_of(values: object) -> Check:
    allowed = frozenset(values)  # type: ignore[call-overload]
    return lambda v: type(v) is str and v in allowed


def _identifier(check: Callable[[str], str]) -> Check:
    def run(value: Any) -> bool:
        if type(value) is not str:
            return False
        try:
            check(value)
        except ValueError:
            return False
        return True

    return run


_container_no = _identifier(identifiers.container_no)

REQUIRED: dict[str, Check] = {
    "event_id": _code(64),
    "source": _one_of(s.value for s in Source),
    "publisher": _code(32),
    "type": _one_of(EVENT_TYPES),
    "direction": _one_of(d.value for d in Direction),
}
OPTIONAL: dict[str, Check] = {  # None (absent or null) is accepted as is
    "classifier": _one_of(c.value for c in Classifier),
    "container_no": _container_no,
    "declaration_no": _identifier(identifiers.declaration_no),
    # isprintable() is stricter than the schema's control-character rule (it also refuses, say, a
    # non-breaking space) and quicker: what it refuses, the schema decides
    "bl_no": lambda v: type(v) is str and 1 <= len(v) <= 41 and v.isprintable(),
    "vessel_imo": _identifier(identifiers.vessel_imo),
    "voyage": _code(16),
    "terminal": _code(16),
    "port": _identifier(identifiers.locode),
    "enterprise_uscc": _identifier(identifiers.uscc_format),
    "declarant_uscc": _identifier(identifiers.uscc_format),
    "customs_code": _code(8),
    "retracts": _code(64),
}
KNOWN = frozenset(REQUIRED) | frozenset(OPTIONAL) | {
    "schema_version", "occurred_at", "updated_at", "containers", "detail"}


def quick_load(document: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """What the schema would load from `document` (a dict), or None: then ask the schema."""
    if not KNOWN.issuperset(document):
        return None
    version = document.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:
        return None
    data: dict[str, Any] = {"schema_version": version}
    for name, check in REQUIRED.items():
        value = document.get(name)
        if not check(value):
            return None
        data[name] = value
    for name, check in OPTIONAL.items():
        value = document.get(name)
        if value is not None and not check(value):
            return None
        data[name] = value
    if "classifier" not in document:
        data["classifier"] = Classifier.ACTUAL.value  # the schema's load_default; an explicit null stays None
    latest = now + FUTURE_TOLERANCE
    occurred_at = _moment(document.get("occurred_at"), latest)
    updated_at = _moment(document["updated_at"], latest) if document.get("updated_at") is not None else None
    containers = _containers(document.get("containers"))
    detail = _detail(document.get("detail"))
    if occurred_at is None or (updated_at is None and document.get("updated_at") is not None) \
            or containers is False or detail is False:
        return None
    data.update(occurred_at=occurred_at, updated_at=updated_at, containers=containers, detail=detail)
    return None if scope_errors(data) else data


def _moment(value: Any, latest: datetime) -> datetime | None:
    if type(value) is not str or not value.isprintable():  # see bl_no above
        return None
    try:
        moment = datetime.fromisoformat(value)  # the parser marshmallow's format="iso" uses
    except ValueError:
        return None
    if moment.utcoffset() is None or not EARLIEST <= moment < LATEST or moment > latest:
        return None
    return moment


def _containers(value: Any) -> list[str] | None | bool:
    if value is None:
        return None
    if type(value) is not list or not 1 <= len(value) <= MAX_CONTAINERS:
        return False
    return list(value) if all(_container_no(v) for v in value) else False


def _detail(value: Any) -> dict[str, Any] | None | bool:
    if value is None:
        return None
    if type(value) is not dict or detail_problem(value) is not None:  # the schema's own check, first
        return False
    try:
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    except UnicodeEncodeError:
        return False
    return dict(value) if size <= MAX_DETAIL_BYTES else False
