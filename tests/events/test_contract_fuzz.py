"""Fuzzing the contract with mutations of valid events (nesting, control characters, extreme timestamps,
huge numbers, odd keys): the HTTP API (`from_document`) and the worker (`decode`) give the same verdict,
an accepted event comes back unchanged through Kafka (`decode(encode(event))`) and the database stores
it, and nothing but InvalidEvent ever escapes. On SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from events import InvalidEvent, decode
from events.codec import encode, from_document
from events.schema import MAX_DETAIL_DEPTH, MAX_DETAIL_KEYS, EventSchema
from models.operations import store_events
from tests.support.bad_inputs import as_message, many_keys, nested, valid_event

SCHEMA = EventSchema(clock=lambda: datetime(2026, 11, 20, 12, tzinfo=UTC))
BASES = [json.loads(p.read_text()) for p in sorted((Path(__file__).parent / "examples").glob("*.json"))]
BASES.append(valid_event("YTCT-GTIN-FUZZ", bl_no="SITGTAYT260418", updated_at="2026-10-12T13:45:00+08:00"))
STRING_FIELDS = ["event_id", "publisher", "bl_no", "voyage", "terminal", "customs_code", "retracts",
                 "occurred_at", "updated_at", "container_no", "enterprise_uscc", "source", "type"]

ODD_CHARACTERS = st.sampled_from(
    [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xa0)]
    + ["\xa0", "\u2028", "\u202e", "\ufeff", "\ufffe", "\ud800", "\udfff", "查", "\U0001f6a2", " ", "\\", '"'])
OFFSETS = st.sampled_from([timezone(timedelta(hours=h, minutes=m)) for h, m in
                           ((14, 0), (-12, 0), (8, 0), (0, 0), (5, 45), (-3, -30), (23, 59), (-23, -59))])
MOMENTS = st.sampled_from([
    "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59.999999-12:00",
    "9999-12-31T23:59:59+14:00", "1999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z",
    "2000-01-01T07:59:59+08:00", "2099-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "2026-11-21T11:59:59Z",
]) | st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(),
               st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
               | st.datetimes(min_value=datetime(1999, 12, 31), max_value=datetime(2026, 11, 21)), OFFSETS)
NUMBERS = (st.integers(min_value=-(10 ** 40), max_value=10 ** 40) | st.floats()
           | st.sampled_from([2 ** 63, 2 ** 64, -(2 ** 63) - 1, 10 ** 300, 1e308, -1e308, 5e-324, -0.0]))
KEYS = st.sampled_from(["", " ", "a.b", "$ref", "__proto__", "gate", "x" * 300, "查验结果", "\x00", "a\tb",
                        "k\x85", "\ud800", "\U0001f6a2", "detail"]) | st.text(max_size=6)
TEXT = st.text(max_size=12) | st.builds(lambda a, c, b: a + c + b, st.text(max_size=4), ODD_CHARACTERS,
                                        st.text(max_size=4))
JSON_VALUES = st.recursive(st.none() | st.booleans() | NUMBERS | TEXT,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                           max_leaves=12)
DETAILS = (st.dictionaries(KEYS, JSON_VALUES, max_size=5)
           | st.builds(nested, st.integers(MAX_DETAIL_DEPTH - 2, MAX_DETAIL_DEPTH + 2) | st.just(500), JSON_VALUES)
           | st.builds(many_keys, st.integers(MAX_DETAIL_KEYS - 3, MAX_DETAIL_KEYS + 3)))


def _inject(document: dict[str, Any], field: str, char: str, at: int) -> None:
    value = document.get(field)
    if isinstance(value, str):
        document[field] = value[:at % (len(value) + 1)] + char + value[at % (len(value) + 1):]


def _into_detail(document: dict[str, Any], key: str, value: Any) -> None:
    detail = document.get("detail")
    document["detail"] = {**(detail if isinstance(detail, dict) else {}), key: value}


MUTATIONS = st.one_of(  # the kinds an event most often survives come twice, so that many are stored
    st.tuples(st.just("set"), st.sampled_from(STRING_FIELDS), TEXT | MOMENTS),
    st.tuples(st.just("set"), st.just("bl_no"), TEXT),
    st.tuples(st.just("moment"), st.sampled_from(["occurred_at", "updated_at"]), MOMENTS),
    st.tuples(st.just("moment"), st.sampled_from(["occurred_at", "updated_at"]), MOMENTS),
    st.tuples(st.just("inject"), st.sampled_from(STRING_FIELDS), ODD_CHARACTERS, st.integers(0, 40)),
    st.tuples(st.just("detail"), DETAILS),
    st.tuples(st.just("detail"), DETAILS),
    st.tuples(st.just("detail_key"), KEYS, JSON_VALUES),
    st.tuples(st.just("detail_key"), KEYS, JSON_VALUES),
    st.tuples(st.just("delete"), st.sampled_from(STRING_FIELDS + ["detail", "schema_version"])),
    st.tuples(st.just("unknown"), KEYS, JSON_VALUES),
)


def mutated(base: dict[str, Any], mutations: list[tuple[Any, ...]]) -> dict[str, Any]:
    document = json.loads(json.dumps(base))
    for kind, *args in mutations:
        if kind in ("set", "moment"):
            document[args[0]] = args[1]
        elif kind == "inject":
            _inject(document, *args)
        elif kind == "detail":
            document["detail"] = args[0]
        elif kind == "detail_key":
            _into_detail(document, *args)
        elif kind == "delete":
            document.pop(args[0], None)
        else:
            document[args[0]] = args[1]
    return document


def message_of(document: dict[str, Any]) -> bytes:
    """The document as a publisher sends it: UTF-8 JSON, or with \\u escapes where UTF-8 cannot say it."""
    try:
        return as_message(document)
    except UnicodeEncodeError:
        return json.dumps(document).encode()


def verdict(check: Any) -> tuple[str, Any]:
    try:
        return "accepted", check()
    except InvalidEvent as exc:
        return "refused", exc.reason


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from(BASES), mutations=st.lists(MUTATIONS, min_size=1, max_size=2))
def test_api_and_worker_agree_and_what_they_accept_is_stored(sessions: sessionmaker[Session], base: dict[str, Any],
                                                             mutations: list[tuple[Any, ...]]) -> None:
    document = mutated(base, mutations)
    api = verdict(lambda: from_document(document, schema=SCHEMA))
    worker = verdict(lambda: decode(message_of(document), schema=SCHEMA))
    event(api[0])
    assert api[0] == worker[0], (api, worker)
    if api[0] == "refused":
        return
    accepted = api[1]
    assert worker[1] == accepted
    assert decode(encode(accepted), schema=SCHEMA) == accepted
    with sessions() as session:
        store_events(session, [accepted])
        session.commit()
