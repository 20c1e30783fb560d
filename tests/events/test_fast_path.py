"""The quick validator never disagrees with the schema: whatever it accepts, the schema loads to the same
dict; and it does accept the ordinary events (else it would be a stub that always defers)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from clearance.simulate import SimConfig, generate
from events.fast_path import KNOWN, quick_load
from events.schema import EventSchema
from tests.support.bad_inputs import BAD_INPUTS, many_keys, nested, valid_event

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SCHEMA = EventSchema(clock=lambda: NOW)
EXAMPLES = [json.loads(p.read_text()) for p in sorted((Path(__file__).parent / "examples").glob("*.json"))]


def schema_load(document: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return SCHEMA.load(document)
    except ValidationError:
        return None


def assert_agrees(document: dict[str, Any]) -> dict[str, Any] | None:
    quick = quick_load(document, NOW)
    if quick is not None:
        assert quick == schema_load(document), document
        assert {k: type(v) for k, v in quick.items()} == {k: type(v) for k, v in schema_load(document).items()}
    return quick


def test_every_contract_example_takes_the_quick_path() -> None:
    assert len(EXAMPLES) >= 21
    for document in EXAMPLES:
        assert assert_agrees(document) is not None, document["type"]


def test_no_bad_input_of_the_corpus_takes_the_quick_path() -> None:
    checked = 0
    for bad in BAD_INPUTS:
        try:
            document = json.loads(bad.value)
        except (ValueError, RecursionError):
            continue
        if isinstance(document, dict) and schema_load(document) is None:  # not a byte-level defect (BOM, ...)
            assert quick_load(document, NOW) is None, bad.kind
            checked += 1
    assert checked >= 60


def test_simulated_stream_quick_path_agrees_and_carries_the_valid_events() -> None:
    config = SimConfig(seed=7, count=4000, start=NOW - timedelta(days=10), malformed_share=0.05)
    quick = valid = 0
    for message in generate(config):
        try:
            document = json.loads(message.value)
        except (ValueError, RecursionError, TypeError):
            continue
        if not isinstance(document, dict):
            continue
        valid += schema_load(document) is not None
        quick += assert_agrees(document) is not None
    assert valid > 3500 and quick == valid


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
NEAR_VALID_VALUES = [
    "", " ", "SITU2710462", "SITU2710463", "situ2710462", "9628740", "UN9628740", "9628741", "CNYNT", "cnynt",
    "420120260000381574", "91370602163047115J", "91370602163047115K", "GATE_IN", "EXPORT", "IMPORT", "ACTUAL",
    "TERMINAL", "PLANNED", "2026-10-12T13:41:07+08:00", "2026-10-12T13:41:07", "2026-10-12 13:41:07Z",
    "20261012T134107Z", "2026-10-12T13:41:07.5-03:30", "2099-01-01T00:00:00Z", "2026-11-21T11:59:59Z",
    "2026-11-21T12:00:01Z", "YTCT\n", "a/b.c-d_e", "-YTCT", "x" * 41, "x" * 42,
    *("A" * n for n in (8, 9, 16, 17, 32, 33, 64, 65)),
    # The bounds of docs/contract.md section 12: timestamps, control characters.
    "2000-01-01T00:00:00Z", "1999-12-31T23:59:59.999999Z", "2000-01-01T08:00:00+08:00", "2000-01-01T07:59:59+08:00",
    "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59.999999-12:00",
    "2100-01-01T00:00:00Z", "2026-10-12\x0013:41:07+08:00", "2026-10-12T13:41:07+08:00\n",
    "AB\x00CD", "AB\tCD", "AB\x1bCD", "AB\x7fCD", "AB\x85CD", "AB\x9fCD", "AB\xa0CD", "查验\u2028",
]
ODD_DETAILS = [
    nested(8), nested(9), nested(7, leaf=[1]), nested(8, leaf=[1]), nested(500), many_keys(200), many_keys(201),
    {"ga\x00te": "G03"}, {"gate": {"QC\x9b": 1}}, {"remark": "line 1\r\nline 2\tend"}, {"remark": "G\x0003"},
    {"remark": "\x1b[2J"}, {"w": float("inf")}, {"w": 1e308}, {"w": 5e-324}, {"n": 2 ** 64}, {"n": -(10 ** 30)},
    {"": 1}, {" ": None}, {"a.b": [True, False, None]},
]
NEAR_VALID = st.sampled_from(NEAR_VALID_VALUES)
FIELDS = st.sampled_from(sorted(KNOWN) + ["extra", "Type"])


def test_each_field_set_to_each_boundary_value_gets_the_same_answer() -> None:
    odd = [None, 0, 1, True, 1.5, [], {}, ["SITU2710462"], ["SITU2710462"] * 501, {"k": "v" * 5000}, *ODD_DETAILS]
    accepted = 0
    for base in (valid_event("YTCT-GTIN-1"), *EXAMPLES[:3]):
        for name in sorted(KNOWN):
            for value in [*NEAR_VALID_VALUES, *odd]:
                accepted += assert_agrees({**base, name: value}) is not None
    assert accepted > 100


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from(EXAMPLES + [valid_event("YTCT-GTIN-1")]),
       changes=st.lists(st.tuples(FIELDS, st.none() | st.just("DELETE") | NEAR_VALID | JSON_VALUES
                                  | st.lists(NEAR_VALID, max_size=3) | st.sampled_from(ODD_DETAILS)),
                        min_size=1, max_size=3))
def test_mutated_events_get_the_same_answer_from_both_paths(base: dict[str, Any],
                                                             changes: list[tuple[str, Any]]) -> None:
    document = dict(base)
    for name, value in changes:
        if value == "DELETE":
            document.pop(name, None)
        else:
            document[name] = value
    assert_agrees(document)


def test_the_quick_path_takes_values_on_the_inner_side_of_each_bound() -> None:
    """Not a stub that defers everything new: what is just within a bound still goes the quick way."""
    within = [{"detail": nested(8)}, {"detail": nested(7, leaf=[1])}, {"detail": many_keys(200)},
              {"detail": {"remark": "line 1\r\nline 2\tend"}}, {"detail": {"remark": "a\xa0b"}},
              {"detail": {"n": 2 ** 64}}, {"occurred_at": "2000-01-01T00:00:00Z"},
              {"occurred_at": "2000-01-01T08:00:00+08:00"}, {"bl_no": "SITG 查验*HB"}]
    for change in within:
        assert assert_agrees({**valid_event("YTCT-GTIN-1"), **change}) is not None, change
