"""An independent reading of the event contract, to check what the simulator yields.

`violations(value, now)` returns the names of the rules a message value breaks (empty for a valid one).
Rule names are the simulator's malformed kinds where one matches, so a malformed message of kind K
must break rule EXPECTED_RULE.get(K, K). Check digits come from python-stdnum (ISO 6346, USCC) and the
IMO rule of DOMAIN.md §5.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from stdnum import iso6346
from stdnum.cn import uscc

REQUIRED = ("schema_version", "event_id", "source", "publisher", "type", "occurred_at", "direction")
SOURCES = {"CUSTOMS", "MARITIME", "TERMINAL", "CARRIER", "TALLY", "ENTERPRISE"}
DECLARATION_TYPES = {"DECLARATION_FILED", "DECLARATION_ACCEPTED", "DECLARATION_REVIEWED", "DUTY_PAYABLE",
                     "DECLARATION_REJECTED", "DECLARATION_CLOSED"}
CONTAINER_TYPES = {"MANIFEST_ACCEPTED", "HOLD_PLACED", "HOLD_RELEASED", "GATE_IN", "ARRIVAL_REPORTED",
                   "REPOSITION_STARTED", "REPOSITIONED", "DISCHARGED", "LOADED", "GATE_OUT"}
EITHER_TYPES = {"INSPECTION_ORDERED", "INSPECTION_COMPLETED", "CUSTOMS_RELEASED"}
VESSEL_TYPES = {"VESSEL_ARRIVED", "VESSEL_DEPARTED"}
TYPES = DECLARATION_TYPES | CONTAINER_TYPES | EITHER_TYPES | VESSEL_TYPES
CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")
LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
EXPECTED_RULE = {"empty_object": "missing_event_id"}


def imo_ok(value: Any) -> bool:
    if not (isinstance(value, str) and re.fullmatch(r"[0-9]{7}", value)):
        return False
    return sum(int(d) * w for d, w in zip(value[:6], range(7, 1, -1))) % 10 == int(value[6])


def _time_rules(event: dict[str, Any], now: datetime) -> set[str]:
    out = set()
    value = event.get("occurred_at")
    if value is not None and not isinstance(value, str):
        out.add("occurred_at_number")
    elif isinstance(value, str):
        if not RFC3339.fullmatch(value):
            out.add("timestamp_no_offset" if re.fullmatch(r"[0-9T:-]{19}", value) else "bad_timestamp_value")
        else:
            try:
                if datetime.fromisoformat(value) > now + timedelta(days=1):
                    out.add("timestamp_far_future")
            except ValueError:
                out.add("bad_timestamp_value")
    updated = event.get("updated_at")
    if updated is not None and not (isinstance(updated, str) and RFC3339.fullmatch(updated)):
        out.add("bad_updated_at")
    return out


def _identifier_rules(event: dict[str, Any]) -> set[str]:
    out = set()
    number = event.get("container_no")
    if number is not None:
        if not (isinstance(number, str) and CONTAINER.fullmatch(number)):
            out.add("bad_container_format")
        elif not iso6346.is_valid(number):
            out.add("bad_check_digit")
    boxes = event.get("containers")
    if boxes is not None:
        if not isinstance(boxes, list):
            out.add("containers_string")
        elif not boxes or not all(isinstance(b, str) and iso6346.is_valid(b) for b in boxes):
            out.add("containers_bad_entry")
    declaration = event.get("declaration_no")
    if declaration is not None and not (isinstance(declaration, str) and re.fullmatch(r"[0-9]{18}", declaration)):
        out.add("bad_declaration_no")
    if "vessel_imo" in event and not imo_ok(event["vessel_imo"]):
        out.add("bad_imo_check_digit")
    if "port" in event and not (isinstance(event["port"], str) and LOCODE.fullmatch(event["port"])):
        out.add("bad_locode")
    for field in ("enterprise_uscc", "declarant_uscc"):
        if field in event and not (isinstance(event[field], str) and uscc.is_valid(event[field])):
            out.add("bad_uscc")
    return out


def _scope_rules(event: dict[str, Any]) -> set[str]:
    kind, out = event.get("type"), set()
    if kind in DECLARATION_TYPES and not event.get("declaration_no"):
        out.add("declaration_without_number")
    if kind in CONTAINER_TYPES and not event.get("container_no"):
        out.add("container_event_without_container")
    if kind in EITHER_TYPES and not (event.get("container_no") or event.get("declaration_no")):
        out.add("container_event_without_container")
    if kind in VESSEL_TYPES and not (event.get("vessel_imo") and event.get("voyage")):
        out.add("vessel_without_voyage")
    if kind in TYPES - VESSEL_TYPES and not event.get("enterprise_uscc"):
        out.add("missing_enterprise_uscc")
    return out


def _field_rules(event: dict[str, Any]) -> set[str]:
    out = {f"missing_{f}" for f in REQUIRED if f not in event}
    out |= {f"null_{f}" for f, v in event.items() if v is None}
    if "schema_version" in event and (event["schema_version"] != 1 or isinstance(event["schema_version"], bool)):
        out.add("schema_version_2")
    event_id = event.get("event_id")
    if event_id is not None and not (isinstance(event_id, str) and 0 < len(event_id) <= 64):
        out.add("event_id_too_long")
    if "source" in event and event["source"] not in SOURCES:
        out.add("unknown_source")
    if event.get("type") is not None and event["type"] not in TYPES:
        out.add("unknown_type")
    if "direction" in event and event["direction"] not in ("EXPORT", "IMPORT"):
        out.add("bad_direction")
    if "classifier" in event and event["classifier"] not in ("ACTUAL", "ESTIMATED", "PLANNED"):
        out.add("bad_classifier")
    if "publisher" in event and not (isinstance(event["publisher"], str) and event["publisher"]):
        out.add("bad_publisher")
    if "detail" in event:
        if not isinstance(event["detail"], dict):
            out.add("detail_not_object")
        elif len(json.dumps(event["detail"], ensure_ascii=False, separators=(",", ":")).encode()) > 4096:
            out.add("detail_too_large")
    return out


def violations(value: bytes, now: datetime) -> set[str]:
    """The contract rules this message value breaks; `now` is the wall clock at ingest."""
    if len(value) > 65536:
        return {"oversize_message"}
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return {"not_utf8"}
    try:
        event = json.loads(text)
    except ValueError:
        return {"not_json"}
    if not isinstance(event, dict):
        return {list: {"json_array"}, str: {"json_string"}}.get(type(event), {"json_number"})
    return _field_rules(event) | _time_rules(event, now) | _identifier_rules(event) | _scope_rules(event)
