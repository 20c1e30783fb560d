"""What `decode` refuses (the bad-input corpus) and what it accepts with a warning or normalises."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from events import InvalidEvent, decode
from events.codec import MAX_MESSAGE_BYTES
from events.schema import MAX_DETAIL_BYTES, EventSchema
from tests.support.bad_inputs import (
    BAD_CHECK_USCC,
    BAD_INPUTS,
    CONTAINER,
    DECLARANT_USCC,
    EXPORT_ENTRY_NO,
    IMPORT_ENTRY_NO,
    OMIT,
    OTHER_CONTAINER,
    VESSEL_IMO,
    BadInput,
    as_message,
    valid_event,
)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.kind)
def test_bad_input_is_rejected_with_its_reason(bad: BadInput) -> None:
    with pytest.raises(InvalidEvent) as caught:
        decode(bad.value)
    assert bad.reason in caught.value.reason
    assert str(caught.value) == caught.value.reason
    assert caught.value.reason.encode()  # it goes into a Kafka header: quoted input must not break that


def test_corpus_kinds_are_unique_and_many() -> None:
    kinds = [bad.kind for bad in BAD_INPUTS]
    assert len(kinds) == len(set(kinds))
    assert len(kinds) >= 36


def test_each_object_level_bad_input_breaks_one_field() -> None:
    """Apart from the empty object, each bad object is the valid base with one thing wrong."""
    several = []
    for bad in BAD_INPUTS:
        with pytest.raises(InvalidEvent) as caught:
            decode(bad.value)
        if "; " in caught.value.reason and bad.kind != "empty_object":
            several.append((bad.kind, caught.value.reason))
    assert several == []


def test_valid_event_is_valid_and_fresh() -> None:
    first, second = valid_event(), valid_event()
    assert first["event_id"] != second["event_id"]
    event = decode(as_message(first))
    assert (event.type, event.container_no, event.warnings) == ("GATE_IN", CONTAINER, ())
    assert valid_event("YTCT-GTIN-1")["event_id"] == "YTCT-GTIN-1"
    assert "terminal" not in valid_event(terminal=OMIT)


def test_none_value_is_an_empty_message() -> None:
    with pytest.raises(InvalidEvent, match="empty message"):
        decode(None)


# Soft checks: stored, with a warning the portal shows as a flag.

def test_bad_uscc_check_character_is_a_warning_not_a_rejection() -> None:
    event = decode(as_message(valid_event(enterprise_uscc=BAD_CHECK_USCC)))
    assert event.enterprise_uscc == BAD_CHECK_USCC
    assert event.warnings == (f"enterprise_uscc: check character of {BAD_CHECK_USCC} fails (stored, flagged)",)


def test_bad_declarant_uscc_check_character_is_a_warning() -> None:
    bad = DECLARANT_USCC[:-1] + "9"
    event = decode(as_message(valid_event(declarant_uscc=bad)))
    assert event.warnings == (f"declarant_uscc: check character of {bad} fails (stored, flagged)",)


def test_entry_number_direction_flag_mismatch_is_a_warning() -> None:
    event = decode(as_message(valid_event(declaration_no=IMPORT_ENTRY_NO, direction="EXPORT")))
    assert event.declaration_no == IMPORT_ENTRY_NO
    assert event.warnings == (f"declaration_no: {IMPORT_ENTRY_NO} reads as IMPORT but the event says EXPORT",)


def test_entry_number_matching_its_direction_and_single_window_numbers_have_no_warning() -> None:
    assert decode(as_message(valid_event(declaration_no=EXPORT_ENTRY_NO))).warnings == ()
    assert decode(as_message(valid_event(declaration_no="E20260000003815742"))).warnings == ()


def test_both_soft_warnings_together() -> None:
    event = decode(as_message(valid_event(enterprise_uscc=BAD_CHECK_USCC, declaration_no=IMPORT_ENTRY_NO)))
    assert len(event.warnings) == 2


def test_warnings_do_not_change_event_identity() -> None:
    flagged = decode(as_message(valid_event("E-1", declaration_no=IMPORT_ENTRY_NO)))
    assert flagged.warnings and flagged == decode(as_message(valid_event("E-1", declaration_no=IMPORT_ENTRY_NO)))


# Normalisation.

def test_un_prefixed_imo_normalises_to_seven_digits() -> None:
    vessel = valid_event(source="MARITIME", publisher="YT-MSA", type="VESSEL_ARRIVED", direction="IMPORT",
                         container_no=OMIT, enterprise_uscc=OMIT, vessel_imo="UN" + VESSEL_IMO)
    assert decode(as_message(vessel)).vessel_imo == VESSEL_IMO
    assert decode(as_message(valid_event(vessel_imo="UN" + VESSEL_IMO))).vessel_imo == VESSEL_IMO


def test_timestamps_normalise_to_utc() -> None:
    event = decode(as_message(valid_event(occurred_at="2026-10-12T13:41:07+08:00",
                                          updated_at="2026-10-12T13:45:00.250+08:00")))
    assert event.occurred_at == datetime(2026, 10, 12, 5, 41, 7, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.updated_at == datetime(2026, 10, 12, 5, 45, 0, 250000, tzinfo=UTC)
    assert event.updated_at.utcoffset() == timedelta(0)


def test_same_moment_in_any_offset_is_the_same_event() -> None:
    beijing = decode(as_message(valid_event("E-2", occurred_at="2026-10-12T13:41:07+08:00")))
    utc = decode(as_message(valid_event("E-2", occurred_at="2026-10-12T05:41:07Z")))
    assert beijing == utc


def test_minimal_event_gets_the_defaults() -> None:
    """Optional fields may all be absent: only the required ones and the type's identifiers are needed."""
    minimal = valid_event(vessel_imo=OMIT, voyage=OMIT, terminal=OMIT, port=OMIT, detail=OMIT)
    event = decode(as_message(minimal))
    assert (event.classifier, event.port, event.containers) == ("ACTUAL", "CNYNT", ())
    assert (event.updated_at, event.terminal, event.detail, event.retracts) == (None, None, None, None)


def test_explicit_null_optional_fields_equal_absent_ones() -> None:
    nulls = {name: None for name in ("updated_at", "containers", "declaration_no", "bl_no", "declarant_uscc",
                                     "customs_code", "retracts", "detail", "port", "terminal")}
    with_nulls = decode(as_message(valid_event("E-3", **nulls)))
    absent = decode(as_message(valid_event("E-3", **{name: OMIT for name in nulls})))
    assert with_nulls == absent


def test_containers_are_deduplicated_and_sorted() -> None:
    event = decode(as_message(valid_event(containers=[OTHER_CONTAINER, CONTAINER, OTHER_CONTAINER])))
    assert event.containers == tuple(sorted({CONTAINER, OTHER_CONTAINER}))


# Limits are inclusive.

def test_message_of_exactly_the_limit_decodes() -> None:
    value = as_message(valid_event()).ljust(MAX_MESSAGE_BYTES)  # trailing whitespace is valid JSON
    assert len(value) == MAX_MESSAGE_BYTES
    assert decode(value).type == "GATE_IN"


def test_detail_of_exactly_the_limit_decodes() -> None:
    padding = MAX_DETAIL_BYTES - len(json.dumps({"remark": ""}, separators=(",", ":")))
    detail = {"remark": "x" * padding}
    assert decode(as_message(valid_event(detail=detail))).detail == detail


def test_event_id_of_64_characters_decodes() -> None:
    assert decode(as_message(valid_event("E" * 64))).event_id == "E" * 64


def test_up_to_a_day_in_the_future_is_accepted() -> None:
    now = datetime(2026, 10, 12, 5, 0, tzinfo=UTC)
    schema = EventSchema(clock=lambda: now)
    soon = (now + timedelta(hours=23)).isoformat()
    late = (now + timedelta(hours=25)).isoformat()
    assert decode(as_message(valid_event(occurred_at=soon)), schema=schema).occurred_at == now + timedelta(hours=23)
    with pytest.raises(InvalidEvent, match="occurred_at: more than a day in the future"):
        decode(as_message(valid_event(occurred_at=late)), schema=schema)


def test_null_classifier_means_actual() -> None:
    assert decode(as_message(valid_event(classifier=None))).classifier == "ACTUAL"
