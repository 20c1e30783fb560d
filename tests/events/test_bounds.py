"""The bounds of docs/contract.md section 12 (nesting, key count, control characters, timestamp range):
applied by `from_document` (the HTTP API) and `decode` (the ingest worker) alike, with one reason, and
never an exception other than InvalidEvent, whatever the input."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from events import InvalidEvent, decode
from events.codec import encode, from_document
from events.schema import MAX_DETAIL_DEPTH, MAX_DETAIL_KEYS, EventSchema
from tests.support.bad_inputs import BAD_INPUTS, as_message, many_keys, nested, valid_event

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SCHEMA = EventSchema(clock=lambda: NOW)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def verdict(check: Any) -> tuple[str, Any]:
    """('accepted', event) or ('refused', reason); any other exception fails the test."""
    try:
        return "accepted", check()
    except InvalidEvent as exc:
        return "refused", exc.reason


def api_and_worker(document: dict[str, Any], schema: EventSchema = SCHEMA) -> tuple[tuple[str, Any], ...]:
    """What the HTTP API (`from_document` on the parsed body) and the worker (`decode` of the message)
    make of one document."""
    return (verdict(lambda: from_document(document, schema=schema)),
            verdict(lambda: decode(as_message(document), schema=schema)))


@pytest.mark.parametrize("field, moment", [
    ("updated_at", "0001-01-01T00:00:00+14:00"), ("occurred_at", "0001-01-01T00:00:00-12:00"),
    ("occurred_at", "0001-01-01T00:00:00+14:00"), ("updated_at", "9999-12-31T23:59:59.999999-12:00"),
    ("occurred_at", "9999-12-31T23:59:59+14:00"), ("occurred_at", "1999-12-31T23:59:59.999999Z"),
    ("occurred_at", "2000-01-01T07:59:59.999999+08:00"), ("updated_at", "2100-01-01T00:00:00Z"),
])
def test_extreme_timestamps_are_refused_by_api_and_worker_with_the_same_reason(field: str, moment: str) -> None:
    api, worker = api_and_worker(valid_event("YTCT-GTIN-1", **{field: moment}))
    assert api == worker == (
        "refused", f"{field}: outside 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z (the end excluded)")


def test_the_first_and_last_moments_of_the_range_are_accepted() -> None:
    late = EventSchema(clock=lambda: datetime(2099, 12, 31, 12, tzinfo=UTC))
    for moment, schema in (("2000-01-01T00:00:00Z", SCHEMA), ("2000-01-01T08:00:00+08:00", SCHEMA),
                           ("2099-12-31T23:59:59.999999Z", late), ("2100-01-01T07:59:59+08:00", late)):
        api, worker = api_and_worker(valid_event("YTCT-GTIN-1", occurred_at=moment), schema)
        assert api[0] == "accepted" and api == worker, moment


@pytest.mark.parametrize("detail", [nested(MAX_DETAIL_DEPTH), nested(MAX_DETAIL_DEPTH - 1, leaf=["G03"]),
                                    many_keys(MAX_DETAIL_KEYS), {"remark": "line 1\r\nline 2\tend"}],
                         ids=["deepest", "deepest_list", "most_keys", "tab_and_line_breaks"])
def test_details_just_within_the_bounds_are_accepted_the_same_everywhere(detail: dict[str, Any]) -> None:
    api, worker = api_and_worker(valid_event("YTCT-GTIN-1", detail=detail))
    assert api[0] == "accepted" and api == worker
    assert api[1].detail == detail


def test_every_object_level_bad_input_gets_the_same_reason_from_api_and_worker() -> None:
    compared = 0
    for bad in BAD_INPUTS:
        try:  # as the API reads a body (portal/events/routes.py), byte-level defects aside
            document = json.loads(bad.value.decode(), parse_constant=_no_constant)
        except (ValueError, RecursionError):
            continue
        if not isinstance(document, dict) or len(bad.value) > 60000:  # the API has its own size limit
            continue
        api = verdict(lambda: from_document(document))
        assert api == verdict(lambda: decode(bad.value)), bad.kind
        assert api[0] == "refused"
        compared += 1
    assert compared >= 90


def _no_constant(name: str) -> Any:
    raise ValueError(name)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.kind)
def test_no_reason_carries_a_control_character(bad: Any) -> None:
    """Reasons go into Kafka headers, logs and API answers: what they quote of the input is escaped."""
    with pytest.raises(InvalidEvent) as caught:
        decode(bad.value)
    assert not CONTROL.search(caught.value.reason), caught.value.reason


@pytest.mark.parametrize("detail, reason", [
    ({"n": 10 ** 5000}, "detail: the integer at detail.n has more than 4300 digits"),
    ({"w": float("nan")}, "detail: the number at detail.w is not finite"),
    ({"a": {"w": float("-inf")}}, "detail: the number at detail.a.w is not finite"),
    ({"a": (1, 2)}, "detail: the value at detail.a is not JSON (tuple)"),
    ({"a": {1, 2}}, "detail: the value at detail.a is not JSON (set)"),
    ({"a": b"G03"}, "detail: the value at detail.a is not JSON (bytes)"),
    ({"a": {1: "x"}}, "detail: a key in detail.a is not a string"),
    ({"a": datetime(2026, 1, 1)}, "detail: the value at detail.a is not JSON (datetime)"),
    (nested(5000), f"detail: nested more than {MAX_DETAIL_DEPTH} levels deep"),
])
def test_python_values_no_json_text_could_hold_are_refused_not_raised(detail: dict[str, Any], reason: str) -> None:
    """The API hands `from_document` what json.loads made, but other callers may hand it anything."""
    assert verdict(lambda: from_document(valid_event("YTCT-GTIN-1", detail=detail))) == ("refused", reason)


def test_an_accepted_event_travels_through_kafka_unchanged() -> None:
    event = from_document(valid_event("YTCT-GTIN-1", bl_no="SITGTAYT260418*HB\u00a0查", detail=many_keys(200),
                                      updated_at="2000-01-01T08:00:00+08:00"), schema=SCHEMA)
    assert decode(encode(event), schema=SCHEMA) == event
