"""The bad-input corpus: messages that can never be valid events, each with the reason `decode` gives.

Every entry but the byte-level ones starts from one valid event (`valid_event`: an export container's
GATE_IN at Yantai's YTCT terminal) and breaks one thing, so the expected reason names exactly that field
and that problem. `valid_event` is also the base other tests build valid messages from.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from stdnum import iso6346

from events.codec import MAX_MESSAGE_BYTES
from events.schema import MAX_CONTAINERS, MAX_DETAIL_BYTES, MAX_DETAIL_DEPTH, MAX_DETAIL_KEYS

CONTAINER = "SITU2710462"  # SITC box, ISO 6346 check digit 2
OTHER_CONTAINER = "CSNU6832013"
ENTERPRISE_USCC = "91370602163047115J"  # Yantai (3706) exporter, valid check character
DECLARANT_USCC = "913706877058054368"  # customs broker, valid check character
BAD_CHECK_USCC = "91370602163047115K"  # right form, wrong check character: a soft warning only
EXPORT_ENTRY_NO = "420120260000381574"  # office 4201, year 2026, flag 0 = export, sequence
IMPORT_ENTRY_NO = "420120261000217903"  # flag 1 = import
VESSEL_IMO = "9628740"  # IMO check digit 0
VOYAGE = "2619E"
BAD_EVENT_ID = "YTCT-GTIN-20261012-000871"


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
"""Pass as a change to `valid_event` to leave that field out (None sends an explicit JSON null)."""


@dataclass(frozen=True)
class BadInput:
    kind: str  # unique name of what is wrong: the test id
    value: bytes  # the Kafka message value
    reason: str  # a substring InvalidEvent.reason must contain


def valid_event(event_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """A valid wire document: GATE_IN of an export container at YTCT, then `changes` applied.

    `event_id` defaults to a fresh unique id, so two calls never make the same event. A change set to
    OMIT removes that field; any other value (None included) replaces it.
    """
    document: dict[str, Any] = {
        "schema_version": 1,
        "event_id": event_id if event_id is not None else f"YTCT-GTIN-{uuid.uuid4().hex[:16]}",
        "source": "TERMINAL",
        "publisher": "YTCT",
        "type": "GATE_IN",
        "occurred_at": "2026-10-12T13:41:07+08:00",
        "direction": "EXPORT",
        "container_no": CONTAINER,
        "vessel_imo": VESSEL_IMO,
        "voyage": VOYAGE,
        "terminal": "YTCT",
        "port": "CNYNT",
        "enterprise_uscc": ENTERPRISE_USCC,
        "detail": {"gate": "G03", "seal_no": "SITC7718230"},
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not OMIT}


def as_message(document: Any) -> bytes:
    """A document as a message value, the way a publisher would send it (UTF-8 JSON)."""
    return json.dumps(document, ensure_ascii=False).encode()


def _broken(**changes: Any) -> bytes:
    changes.setdefault("event_id", BAD_EVENT_ID)
    return as_message(valid_event(**changes))


def _container(serial: int, owner: str = "SITU") -> str:
    stem = f"{owner}{serial:06d}"
    return stem + iso6346.calc_check_digit(stem)


def _compact_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


_VALID = _broken()
_OVERSIZE_DETAIL = {"remark": "x" * MAX_DETAIL_BYTES}
# 1400 Chinese characters: under 4096 characters, but 4200 bytes in UTF-8 (the limit counts bytes).
_WIDE_DETAIL = {"remark": "查" * 1400}
_CUSTOMS = {"source": "CUSTOMS", "publisher": "4201"}
_VESSEL = {"source": "MARITIME", "publisher": "YT-MSA", "type": "VESSEL_ARRIVED", "direction": "IMPORT",
           "container_no": OMIT, "enterprise_uscc": OMIT, "terminal": OMIT, "detail": OMIT}
_REQUIRED = "Missing data for required field."
_CODE = "letters, digits or _ . - /"


def nested(levels: int, leaf: Any = "G03") -> dict[str, Any]:
    """A detail of `levels` objects, one inside the other: {"a": {"a": ... {"a": leaf}}}."""
    detail: Any = leaf
    for _ in range(levels):
        detail = {"a": detail}
    return detail  # type: ignore[no-any-return]


def many_keys(count: int) -> dict[str, Any]:
    """A detail holding `count` keys in all, half of them in a nested object."""
    inner = {f"i{n}": n for n in range(count // 2 - 1)}
    return {"inner": inner, **{f"k{n}": n for n in range(count - len(inner) - 1)}}


_BOUNDS = "outside 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z (the end excluded)"
_TOO_DEEP = f"detail: nested more than {MAX_DETAIL_DEPTH} levels deep"


def _control(field: str, char: str, **changes: Any) -> BadInput:
    return BadInput(f"{field}_control_u{ord(char):04x}", _broken(**changes),
                    f"{field}: control character U+{ord(char):04X}")


def _missing(field: str) -> BadInput:
    return BadInput(f"missing_{field}", _broken(**{field: OMIT}), f"{field}: {_REQUIRED}")


BAD_INPUTS: list[BadInput] = [
    # Not a JSON object at all.
    BadInput("not_utf8", _VALID.replace(b'"YTCT"', b'"YT\xffCT"', 1), "not UTF-8: invalid start byte at byte"),
    BadInput("gbk_encoded_chinese", json.dumps(valid_event(BAD_EVENT_ID, detail={"remark": "查验完毕"}),
                                               ensure_ascii=False).encode("gbk"),
             "not UTF-8: invalid start byte at byte"),
    BadInput("empty_value", b"", "empty message (no value)"),
    BadInput("not_json", b"GATE_IN SITU2710462 2026-10-12 13:41", "not JSON: Expecting value at line 1 column 1"),
    BadInput("xml", b"<event><type>GATE_IN</type></event>", "not JSON: Expecting value at line 1 column 1"),
    BadInput("truncated_json", _VALID[:-1], "not JSON: Expecting ',' delimiter at line 1"),
    BadInput("python_repr_not_json", repr(valid_event(BAD_EVENT_ID)).encode(),
             "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    BadInput("utf8_bom", b"\xef\xbb\xbf" + _VALID, "not JSON: Unexpected UTF-8 BOM"),
    BadInput("two_events_in_one_message", _VALID + _broken(event_id="YTCT-GTIN-20261012-000872"),
             "not JSON: Extra data at line 1"),
    BadInput("json_array", as_message([valid_event(BAD_EVENT_ID)]), "not a JSON object but a JSON array"),
    BadInput("json_string", as_message("GATE_IN SITU2710462"), "not a JSON object but a JSON string"),
    BadInput("json_number", b"20261012134107", "not a JSON object but a JSON number"),
    BadInput("json_null", b"null", "not a JSON object but a JSON null"),
    BadInput("json_boolean", b"true", "not a JSON object but a JSON boolean"),
    BadInput("message_over_limit", _broken(detail={"remark": "x" * MAX_MESSAGE_BYTES}),
             f"more than the limit of {MAX_MESSAGE_BYTES}"),
    BadInput("message_one_byte_over_limit", _VALID.ljust(MAX_MESSAGE_BYTES + 1),
             f"message is {MAX_MESSAGE_BYTES + 1} bytes, more than the limit of {MAX_MESSAGE_BYTES}"),
    # A JSON object, but not the contract's fields.
    BadInput("empty_object", b"{}", f"schema_version: {_REQUIRED}"),
    *(_missing(field) for field in ("schema_version", "event_id", "source", "publisher", "type",
                                    "occurred_at", "direction")),
    BadInput("null_type", _broken(type=None), "type: Field may not be null."),
    BadInput("unknown_field", _broken(equipmentReference=CONTAINER), "equipmentReference: Unknown field."),
    BadInput("misspelt_field", _broken(container_no=OMIT, containerNo=CONTAINER), "containerNo: Unknown field."),
    BadInput("schema_version_string", _broken(schema_version="1"), "schema_version: Not a valid integer."),
    BadInput("schema_version_float", _broken(schema_version=1.0), "schema_version: Not a valid integer."),
    BadInput("schema_version_boolean", _broken(schema_version=True), "schema_version: Not a valid integer."),
    BadInput("schema_version_2", _broken(schema_version=2), "schema_version: Must be equal to 1."),
    BadInput("event_id_number", _broken(event_id=871), "event_id: Not a valid string."),
    BadInput("event_id_empty", _broken(event_id=""), f"event_id: 1 to 64 {_CODE}"),
    BadInput("event_id_over_64", _broken(event_id="E" * 65), f"event_id: 1 to 64 {_CODE}"),
    BadInput("event_id_with_space", _broken(event_id="YTCT GTIN 871"), f"event_id: 1 to 64 {_CODE}"),
    BadInput("publisher_over_32", _broken(publisher="YANTAI-PORT-CONTAINER-TERMINAL-CO"),
             f"publisher: 1 to 32 {_CODE}"),
    BadInput("unknown_type", _broken(type="GATE_IN_FULL"), "type: Must be one of: ARRIVAL_REPORTED,"),
    BadInput("dcsa_code_as_type", _broken(type="GTIN"), "type: Must be one of:"),
    BadInput("unknown_source", _broken(source="PORT"), "source: Must be one of: CUSTOMS, MARITIME,"),
    BadInput("lower_case_source", _broken(source="terminal"), "source: Must be one of:"),
    BadInput("bad_direction", _broken(direction="EXP"), "direction: Must be one of: EXPORT, IMPORT."),
    BadInput("bad_classifier", _broken(classifier="ACT"), "classifier: Must be one of: ACTUAL, ESTIMATED, PLANNED."),
    # Timestamps.
    BadInput("occurred_at_number", _broken(occurred_at=1791783667), "occurred_at: Not a valid datetime."),
    BadInput("occurred_at_not_a_date", _broken(occurred_at="2026-02-30T13:41:07+08:00"),
             "occurred_at: Not a valid datetime."),
    BadInput("occurred_at_words", _broken(occurred_at="yesterday 13:41"), "occurred_at: Not a valid datetime."),
    BadInput("occurred_at_without_offset", _broken(occurred_at="2026-10-12T13:41:07"),
             "occurred_at: Not a valid aware datetime."),
    BadInput("occurred_at_date_only", _broken(occurred_at="2026-10-12"), "occurred_at: Not a valid aware datetime."),
    BadInput("updated_at_without_offset", _broken(updated_at="2026-10-12T13:45:00"),
             "updated_at: Not a valid aware datetime."),
    BadInput("occurred_at_future", _broken(occurred_at="2099-10-12T13:41:07+08:00"),
             "occurred_at: more than a day in the future"),
    BadInput("updated_at_future", _broken(updated_at="2099-10-12T13:45:00+08:00"),
             "updated_at: more than a day in the future"),
    # Identifiers.
    BadInput("container_bad_check_digit", _broken(container_no="SITU2710463"),
             "container_no: bad ISO 6346 check digit 3 (expected 2)"),
    BadInput("container_wrong_format", _broken(container_no="SITU271046"),
             "container_no: not an ISO 6346 container number"),
    BadInput("container_lower_case", _broken(container_no="situ2710462"),
             "container_no: not an ISO 6346 container number"),
    BadInput("container_with_spaces", _broken(container_no="SITU 271046 2"),
             "container_no: not an ISO 6346 container number"),
    BadInput("container_bad_category", _broken(container_no="SITX2710462"),
             "container_no: not an ISO 6346 container number"),
    BadInput("containers_string", _broken(containers=CONTAINER), "containers: Not a valid list."),
    BadInput("containers_empty", _broken(containers=[]), f"containers: Length must be between 1 and {MAX_CONTAINERS}."),
    BadInput("containers_over_limit", _broken(containers=[_container(n) for n in range(MAX_CONTAINERS + 1)]),
             f"containers: Length must be between 1 and {MAX_CONTAINERS}."),
    BadInput("containers_bad_check_digit", _broken(containers=[CONTAINER, "CSNU6832014"]),
             "containers.1: bad ISO 6346 check digit 4 (expected 3)"),
    BadInput("declaration_no_17_digits", _broken(declaration_no=EXPORT_ENTRY_NO[:-1]),
             "declaration_no: not an 18-character declaration number"),
    BadInput("declaration_no_lower_case", _broken(declaration_no="e20260000003815742"),
             "declaration_no: not an 18-character declaration number"),
    BadInput("bad_imo_check_digit", _broken(vessel_imo="9628741"), "vessel_imo: bad IMO check digit 1 (expected 0)"),
    BadInput("imo_with_imo_prefix", _broken(vessel_imo="IMO9628740"),
             "vessel_imo: not an IMO number (7 digits, optionally prefixed UN)"),
    BadInput("voyage_over_16", _broken(voyage="SITC-HAIPHONG-2619E"), f"voyage: 1 to 16 {_CODE}"),
    BadInput("terminal_with_space", _broken(terminal="YTCT 2"), f"terminal: 1 to 16 {_CODE}"),
    BadInput("bad_locode", _broken(port="CNYN1"), "port: not a UN/LOCODE (2 letters and 3 of A-Z, 2-9)"),
    BadInput("lower_case_locode", _broken(port="cnynt"), "port: not a UN/LOCODE"),
    BadInput("uscc_wrong_length", _broken(enterprise_uscc=ENTERPRISE_USCC[:-1]),
             "enterprise_uscc: not an 18-character unified social credit code"),
    BadInput("uscc_bad_characters", _broken(enterprise_uscc="91370602I63O47115J"),
             "enterprise_uscc: not an 18-character unified social credit code"),
    BadInput("declarant_uscc_letter_o", _broken(declarant_uscc=DECLARANT_USCC[:-1] + "O"),
             "declarant_uscc: not an 18-character unified social credit code"),
    BadInput("customs_code_over_8", _broken(customs_code="RELEASED1"), f"customs_code: 1 to 8 {_CODE}"),
    BadInput("bl_no_empty", _broken(bl_no=""), "bl_no: Length must be between 1 and 41."),
    BadInput("retracts_empty", _broken(retracts=""), f"retracts: 1 to 64 {_CODE}"),
    # Detail.
    BadInput("detail_list", _broken(detail=["G03"]), "detail: Not a valid mapping type."),
    BadInput("detail_over_limit", _broken(detail=_OVERSIZE_DETAIL),
             f"detail: detail is {_compact_size(_OVERSIZE_DETAIL)} bytes, more than {MAX_DETAIL_BYTES}"),
    BadInput("detail_over_limit_in_utf8_bytes", _broken(detail=_WIDE_DETAIL),
             f"detail: detail is {_compact_size(_WIDE_DETAIL)} bytes, more than {MAX_DETAIL_BYTES}"),
    # Scope: the identifiers each type requires.
    BadInput("container_event_without_container_no", _broken(container_no=OMIT), "container_no: required for GATE_IN"),
    BadInput("container_event_with_only_containers_list", _broken(container_no=OMIT, containers=[CONTAINER]),
             "container_no: required for GATE_IN"),
    BadInput("declaration_event_without_declaration_no", _broken(type="DECLARATION_ACCEPTED", **_CUSTOMS),
             "declaration_no: required for DECLARATION_ACCEPTED"),
    BadInput("inspection_ordered_without_container_or_declaration",
             _broken(type="INSPECTION_ORDERED", container_no=OMIT, **_CUSTOMS),
             "container_no: container_no or declaration_no required for INSPECTION_ORDERED"),
    BadInput("vessel_event_without_voyage", _broken(voyage=OMIT, **_VESSEL), "voyage: required for VESSEL_ARRIVED"),
    BadInput("vessel_event_without_vessel_imo", _broken(vessel_imo=OMIT, **_VESSEL),
             "vessel_imo: required for VESSEL_ARRIVED"),
    BadInput("container_event_without_enterprise_uscc", _broken(enterprise_uscc=OMIT),
             "enterprise_uscc: required for GATE_IN"),
    BadInput("declaration_event_without_enterprise_uscc",
             _broken(type="DECLARATION_ACCEPTED", container_no=OMIT, declaration_no=EXPORT_ENTRY_NO,
                     enterprise_uscc=OMIT, **_CUSTOMS),
             "enterprise_uscc: required for DECLARATION_ACCEPTED"),
    BadInput("event_id_trailing_newline", as_message(valid_event(event_id="YTCT-GTIN-871\n")), "event_id: 1 to 64"),
    BadInput("voyage_trailing_newline", as_message(valid_event(voyage="2619E\n")), "voyage: 1 to 16"),
    BadInput("nan_in_detail", json.dumps(valid_event(detail={"weight_kg": float("nan")})).encode(),
             "not acceptable JSON: ValueError: NaN is not a JSON number"),
    BadInput("lone_surrogate_escape", json.dumps(valid_event(bl_no="\ud800")).encode(),
             "not valid Unicode: a string holds an unpaired surrogate"),
    BadInput("lone_surrogate_in_detail", json.dumps(valid_event(detail={"seal_no": "\udc80"})).encode(),
             "detail: not valid Unicode: a string holds an unpaired surrogate"),
    BadInput("lone_surrogate_field_name", as_message(valid_event()).replace(b'"port"', b'"\\ud800"'),
             "\\ud800: Unknown field."),
    BadInput("integer_over_4300_digits",
             as_message(valid_event(detail={"n": 1})).replace(b'"n": 1', b'"n": ' + b"9" * 5000),
             "not acceptable JSON: ValueError: Exceeds the limit"),
    BadInput("deeply_nested_json", b"[" * 50000, "not acceptable JSON: RecursionError"),
    # Bounds that keep one message from harming whoever stores or shows it (docs/contract.md section 12).
    BadInput("detail_nested_500_levels", _broken(detail=nested(500)), _TOO_DEEP),
    BadInput("detail_nested_one_level_too_deep", _broken(detail=nested(MAX_DETAIL_DEPTH + 1)), _TOO_DEEP),
    BadInput("detail_list_one_level_too_deep", _broken(detail=nested(MAX_DETAIL_DEPTH, leaf=["G03"])), _TOO_DEEP),
    BadInput("detail_one_key_too_many", _broken(detail=many_keys(MAX_DETAIL_KEYS + 1)),
             f"detail: more than {MAX_DETAIL_KEYS} keys"),
    BadInput("detail_infinite_number", _VALID.replace(b'"G03"', b"1e400", 1), "detail: the number at detail.gate"),
    *(_control("bl_no", c, bl_no=f"AB{c}CD") for c in ("\x00", "\t", "\n", "\x1b", "\x7f", "\x85", "\x9f")),
    BadInput("detail_key_nul", _broken(detail={"ga\x00te": "G03"}),
             "detail: control character U+0000 in the key detail.ga\\u0000te"),
    BadInput("detail_key_newline", _broken(detail={"gate\n": "G03"}), "detail: control character U+000A in the key"),
    BadInput("detail_nested_key_c1", _broken(detail={"crane": {"QC\x9b07": 1}}),
             "detail: control character U+009B in the key detail.crane.QC\\u009b07"),
    BadInput("detail_value_nul", _broken(detail={"gate": "G\x0003"}),
             "detail: control character U+0000 in the text at detail.gate"),
    BadInput("detail_value_escape_sequence", _broken(detail={"remarks": ["ok", "\x1b[2J"]}),
             "detail: control character U+001B in the text at detail.remarks[1]"),
    BadInput("detail_value_del", _broken(detail={"gate": "G03\x7f"}), "detail: control character U+007F in the text"),
    BadInput("occurred_at_nul_as_separator", _broken(occurred_at="2026-10-12\x0013:41:07+08:00"),
             "occurred_at: control character U+0000"),
    BadInput("updated_at_year_1_east_of_utc", _broken(updated_at="0001-01-01T00:00:00+14:00"), f"updated_at: {_BOUNDS}"),
    BadInput("occurred_at_year_1_west_of_utc", _broken(occurred_at="0001-01-01T00:00:00-12:00"),
             f"occurred_at: {_BOUNDS}"),
    BadInput("occurred_at_year_9999_west_of_utc", _broken(occurred_at="9999-12-31T23:59:59.999999-12:00"),
             f"occurred_at: {_BOUNDS}"),
    BadInput("updated_at_year_9999_east_of_utc", _broken(updated_at="9999-12-31T23:59:59+14:00"), f"updated_at: {_BOUNDS}"),
    BadInput("occurred_at_just_before_2000", _broken(occurred_at="1999-12-31T23:59:59.999999Z"),
             f"occurred_at: {_BOUNDS}"),
    BadInput("occurred_at_2000_locally_but_1999_in_utc", _broken(occurred_at="2000-01-01T07:59:59+08:00"),
             f"occurred_at: {_BOUNDS}"),
    BadInput("occurred_at_2100", _broken(occurred_at="2100-01-01T00:00:00Z"), f"occurred_at: {_BOUNDS}"),
    BadInput("unknown_field_with_control_characters", _broken(**{"gate\n\x00": "G03"}),
             "gate\\u000a\\u0000: Unknown field."),
]
