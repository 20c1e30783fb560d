"""The worked examples (one per event type, tests/events/examples/<TYPE>.json) are valid contract messages."""
from __future__ import annotations

from pathlib import Path

import pytest
from stdnum import iso6346
from stdnum.cn import uscc

from events import decode, encode, message_key
from events.vocabulary import EVENT_TYPES, Scope

EXAMPLES = Path(__file__).parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def test_there_is_one_example_per_event_type() -> None:
    assert {path.stem for path in EXAMPLE_FILES} == set(EVENT_TYPES)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_decodes_as_its_type(path: Path) -> None:
    event = decode(path.read_bytes())
    assert event.type == path.stem
    assert event.warnings == ()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_round_trips(path: Path) -> None:
    event = decode(path.read_bytes())
    assert decode(encode(event)) == event
    assert decode(encode(event.to_wire())) == event


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_is_realistic_for_yantai(path: Path) -> None:
    event = decode(path.read_bytes())
    assert event.port == "CNYNT"
    assert '+08:00"' in path.read_text(encoding="utf-8")
    assert event.occurred_at.year == 2026
    for container_no in (event.container_no, *event.containers):
        if container_no:
            assert iso6346.is_valid(container_no)
    for code in (event.enterprise_uscc, event.declarant_uscc):
        if code:
            assert uscc.is_valid(code)  # the examples carry no soft warnings


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_has_the_documented_message_key(path: Path) -> None:
    event = decode(path.read_bytes())
    if event.scope is Scope.VESSEL:
        expected = f"{event.vessel_imo}/{event.voyage}"
    else:
        expected = event.container_no or event.declaration_no or ""
    assert message_key(event) == expected.encode()
