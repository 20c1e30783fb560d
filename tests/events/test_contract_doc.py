"""docs/contract.md keeps up with the code: every type, field, receipt code and example is in it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from events import InvalidEvent, decode, topics
from events.codec import MAX_MESSAGE_BYTES
from events.schema import MAX_DETAIL_BYTES, MAX_DETAIL_DEPTH, MAX_DETAIL_KEYS, EventSchema
from events.vocabulary import CUSTOMS_RECEIPT_CODES, EVENT_TYPES, PRECEDENCE, PUBLISHED_BY
from tests.support.bad_inputs import as_message, many_keys, nested, valid_event

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.json"))
JSON_BLOCKS = re.findall(r"```json\n(.*?)\n```", DOC, flags=re.DOTALL)


def table_rows(first_cell: str) -> list[list[str]]:
    """The rows of any markdown table in the doc whose first cell is `first_cell`, split into cells."""
    rows = []
    for line in DOC.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append(cells)
    return rows


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_event_type_is_in_the_vocabulary_table(name: str) -> None:
    event_type = EVENT_TYPES[name]
    rows = table_rows(f"`{name}`")
    assert rows, f"{name} has no row in docs/contract.md"
    dcsa = f"`{event_type.dcsa}`" if event_type.dcsa else "—"
    sources = " ".join(f"`{s.value}`" for s in sorted(PUBLISHED_BY[name], key=lambda s: s.value))
    assert any({event_type.en, event_type.zh, dcsa, sources} <= set(row) for row in rows), \
        f"{name}: no row with {event_type.en!r}, {event_type.zh!r}, DCSA {dcsa} and sources {sources}"


@pytest.mark.parametrize("field", sorted(EventSchema().fields))
def test_every_schema_field_is_in_the_field_table(field: str) -> None:
    rows = table_rows(f"`{field}`")
    assert rows and len(rows[0]) == 5, f"field {field} has no row of five cells in docs/contract.md"


def test_field_table_has_no_field_the_schema_lacks() -> None:
    start = DOC.index("| Field | Required when |")
    table = DOC[start:DOC.index("\n\n", start)]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == set(EventSchema().fields)


@pytest.mark.parametrize("code", sorted(CUSTOMS_RECEIPT_CODES))
def test_every_customs_receipt_code_is_in_its_table(code: str) -> None:
    assert any(row[-1] == f"`{CUSTOMS_RECEIPT_CODES[code]}`" for row in table_rows(f"`{code}`")), \
        f"receipt code {code} -> {CUSTOMS_RECEIPT_CODES[code]} missing from docs/contract.md"


@pytest.mark.parametrize("rule", PRECEDENCE, ids=lambda rule: f"{rule[1]}<{rule[2]}")
def test_every_precedence_rule_is_documented(rule: tuple[object, str, str]) -> None:
    direction, earlier, later = rule
    direction_cell = direction.value if direction else "both"  # type: ignore[attr-defined]
    assert any(row[1].startswith(f"`{earlier}`") and row[2].startswith(f"`{later}`")
               for row in table_rows(direction_cell))


def test_topics_headers_and_limits_are_documented() -> None:
    for name in (topics.EVENTS_TOPIC, topics.DLQ_TOPIC, topics.DLQ_REASON, topics.DLQ_SOURCE_TOPIC,
                 topics.DLQ_SOURCE_PARTITION, topics.DLQ_SOURCE_OFFSET, "CLEARANCE_EVENTS_TOPIC",
                 "clearance publish"):
        assert f"`{name}" in DOC, name
    assert str(MAX_MESSAGE_BYTES) in DOC and "64 KiB" in DOC
    assert str(MAX_DETAIL_BYTES) in DOC


def test_the_bounds_section_states_the_bounds_of_the_code() -> None:
    section = DOC[DOC.index("## 12. Bounds"):]
    assert f"at most **{MAX_DETAIL_DEPTH}** levels" in section
    assert f"at most **{MAX_DETAIL_KEYS}** in all" in section
    infinite = as_message(valid_event(detail={"weight": 1})).replace(b'"weight": 1', b'"weight": 1e400')
    for value in (as_message(valid_event(detail=nested(500))), as_message(valid_event(bl_no="AB\x00CD")),
                  as_message(valid_event(detail=many_keys(MAX_DETAIL_KEYS + 1))), infinite,
                  as_message(valid_event(detail={"remark": "\x1b[2J"})),
                  as_message(valid_event(detail={"ga\x00te": "G03"})),
                  as_message(valid_event(occurred_at="0001-01-01T00:00:00+14:00"))):
        with pytest.raises(InvalidEvent) as caught:
            decode(value)
        assert f"`{caught.value.reason}`" in section, caught.value.reason


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_file_is_shown_in_the_doc(path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    assert example in [json.loads(block) for block in JSON_BLOCKS], \
        f"{path.name} differs from every JSON block in docs/contract.md"
    assert f"### {path.stem} — " in DOC


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=lambda block: json.loads(block)["event_id"])
def test_every_json_block_in_the_doc_is_a_valid_event(block: str) -> None:
    decode(block.encode())
