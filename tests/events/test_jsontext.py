"""Fast JSON text: what orjson writes reads back as what json would, and its refusals fall back."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from events import jsontext

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(VALUES)
def test_reads_back_equal_whatever_writes_it(value: object) -> None:
    assert json.loads(jsontext.dumps(value)) == value
    assert json.loads(jsontext.dumps_bytes(value)) == value


def test_integers_past_64_bits_fall_back_to_json_and_stay_integers() -> None:
    value = {"declared_value": 10**30, "small": -(2**63)}
    assert json.loads(jsontext.dumps(value)) == value
    assert jsontext.dumps(value) == '{"declared_value":1000000000000000000000000000000,"small":-9223372036854775808}'


def test_sorted_text_does_not_depend_on_key_order() -> None:
    first = {"b": 1, "a": {"y": [1, 2], "x": "运抵"}}
    second = {"a": {"x": "运抵", "y": [1, 2]}, "b": 1}
    expected = '{"a":{"x":"运抵","y":[1,2]},"b":1}'.encode()
    assert jsontext.dumps_sorted(first) == jsontext.dumps_sorted(second) == expected
    big = {"b": 10**30, "a": 1}
    assert jsontext.dumps_sorted(big) == b'{"a":1,"b":1000000000000000000000000000000}'
