"""No poison pill: a message the contract refuses, or an event the database refuses, is dead-lettered on
its own (original bytes, precise reason), the good events of its batch are stored, offsets are
committed, and the worker carries on instead of crash-looping. Real broker, both databases."""
from __future__ import annotations

import dataclasses
import json
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from events import topics
from events.codec import ClearanceEvent, decode
from ingest import handlers
from ingest.handlers import is_data_error, store_isolating
from ingest.triage import DeadLetterRun, DeadLetterRunTooLong, triage
from models.db import make_engine, session_factory
from models.operations import StoreResult
from tests.conftest import truncate
from tests.ingest.test_worker import gate_ins, run_worker, stored_ids
from tests.support.bad_inputs import as_message, nested, valid_event
from tests.support.factories import event
from tests.support.pipeline import committed, end_offsets, header, produce, read_all

Record = namedtuple("Record", "topic partition offset key value")
POISON = {  # what the contract now refuses; each took a worker or the portal down before
    b"bl-nul": (valid_event("p-bl-nul", bl_no="AB\u0000CD"), "bl_no: control character U+0000"),
    b"key-nul": (valid_event("p-key-nul", detail={"ga\u0000te": "G03"}),
                 "detail: control character U+0000 in the key detail.ga\\u0000te"),
    b"deep": (valid_event("p-deep", detail=nested(500)), "detail: nested more than 8 levels deep"),
    b"year-1": (valid_event("p-year-1", updated_at="0001-01-01T00:00:00+14:00"), "updated_at: outside 2000-01-01"),
}


def test_what_the_contract_refuses_is_dead_lettered_and_its_batch_stored(  # type: ignore[no-untyped-def]
        database_url, make_settings, monkeypatch) -> None:
    monkeypatch.setattr("ingest.outage.RETRY_DELAYS", (0.1,))
    settings = make_settings(database_url)
    good = gate_ins(40)
    poison = [(key, as_message(document)) for key, (document, _) in POISON.items()]
    produce(settings.kafka_bootstrap_servers, settings.events_topic, good[:20] + poison + good[20:], partitions=1)
    worker = run_worker(settings)
    assert stored_ids(database_url) == {f"g{i}" for i in range(40)}
    letters = {r.key: r for r in read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)}
    assert sorted(letters) == sorted(POISON)
    for key, (document, reason) in POISON.items():
        assert letters[key].value == as_message(document)
        assert reason in header(letters[key], topics.DLQ_REASON)
    assert worker.stats.dead_lettered == len(POISON)
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == \
        end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)



def test_a_message_too_large_for_the_dead_letter_topic_goes_there_cut(  # type: ignore[no-untyped-def]
        database_url, make_settings) -> None:
    """A message as large as the events topic takes (a raw producer's, near the broker's 1 MiB) is
    refused for its size; with the reason and its source in headers it is too large for the dead-letter
    topic. It goes there cut: its first CLEARANCE_MAX_MESSAGE_BYTES, its size in a header of its own;
    the worker carries on. Before, the worker asked the broker again and again, and ingest stood still."""
    settings = make_settings(database_url)
    huge = b'{"event_id": "' + b"x" * 1_048_440 + b'"}'
    produce(settings.kafka_bootstrap_servers, settings.events_topic,
            gate_ins(10) + [(b"huge", huge)] + gate_ins(20)[10:], partitions=1)
    run_worker(settings, within=90)
    assert stored_ids(database_url) == {f"g{i}" for i in range(20)}
    [letter] = read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)
    assert letter.key == b"huge" and letter.value == huge[:settings.max_message_bytes]
    assert header(letter, topics.DLQ_CUT) == str(len(b"huge") + len(huge))
    assert header(letter, topics.DLQ_REASON) == f"message is {len(huge)} bytes, more than the limit of 65536"
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == \
        end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)

# What slips past the contract but not past the database: simulated by handing storage events built
# directly, without validation.

def _no_port(e: ClearanceEvent) -> ClearanceEvent:
    return dataclasses.replace(e, port=None)  # type: ignore[arg-type]  # NOT NULL violation, both databases


def _nul_bl_no(e: ClearanceEvent) -> ClearanceEvent:
    return dataclasses.replace(e, bl_no="AB\u0000CD")  # PostgreSQL text cannot hold NUL


def _storing(url: str) -> Callable[[list[ClearanceEvent]], StoreResult]:
    sessions = session_factory(make_engine(url))

    def store(events: list[ClearanceEvent]) -> StoreResult:
        with sessions() as session:
            result = handlers.store_batch(session, events)
            session.commit()
        return result
    return store


def _isolates(url: str, spoil: Callable[[ClearanceEvent], ClearanceEvent], count: int, reason: str) -> None:
    events = [event("GATE_IN", f"s{i}", "2026-11-20T08:00:00+08:00") for i in range(count)]
    bad = {3, count - 2}
    batch = [spoil(e) if i in bad else e for i, e in enumerate(events)]
    isolated = store_isolating(_storing(url), batch)
    assert [i for i, _ in isolated.refused] == sorted(bad)
    assert all(r.startswith("the database refused the event (") and reason in r for _, r in isolated.refused), \
        isolated.refused
    assert stored_ids(url) == {e.event_id for i, e in enumerate(events) if i not in bad}
    assert isolated.result.stored == count - len(bad)


@pytest.mark.parametrize("count", [6, 150], ids=["executemany", "copy"])  # PostgreSQL COPYs from 100 rows
def test_an_event_the_database_refuses_is_isolated_and_the_rest_stored(  # type: ignore[no-untyped-def]
        database_url, count) -> None:
    _isolates(database_url, _no_port, count, "port")  # SQLite: NOT NULL constraint failed: events.port


@pytest.mark.parametrize("count", [6, 150], ids=["executemany", "copy"])
def test_a_nul_postgresql_refuses_is_isolated_and_the_rest_stored(  # type: ignore[no-untyped-def]
        postgres_url, count) -> None:
    truncate(postgres_url)
    _isolates(postgres_url, _nul_bl_no, count, "NUL")


def _worker_isolates(url: str, settings: Any, monkeypatch: pytest.MonkeyPatch,
                     spoil: Callable[[ClearanceEvent], ClearanceEvent]) -> None:
    messages = gate_ins(30)
    poisoned = messages[12][1]
    real_decode = decode
    monkeypatch.setattr("ingest.triage.decode", lambda value, **kw: spoil(real_decode(value, **kw))
                        if value == poisoned else real_decode(value, **kw))
    produce(settings.kafka_bootstrap_servers, settings.events_topic, messages, partitions=2)
    worker = run_worker(settings)  # returns: before, it raised (and raised again on every restart)
    assert stored_ids(url) == {f"g{i}" for i in range(30)} - {"g12"}
    [letter] = read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)
    assert (letter.key, letter.value) == messages[12]
    assert header(letter, topics.DLQ_REASON).startswith("the database refused the event (")
    assert header(letter, topics.DLQ_SOURCE_TOPIC) == settings.events_topic
    assert (worker.stats.stored, worker.stats.dead_lettered) == (29, 1)
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == \
        end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)


def test_worker_dead_letters_what_the_database_refuses_and_carries_on(  # type: ignore[no-untyped-def]
        database_url, make_settings, monkeypatch) -> None:
    _worker_isolates(database_url, make_settings(database_url), monkeypatch, _no_port)


def test_a_database_refusing_everything_still_stops_the_worker(  # type: ignore[no-untyped-def]
        sqlite_url, make_settings, monkeypatch) -> None:
    """Refusals count in the run of dead letters: a database that refuses every event (a bad migration,
    say) stops the worker at CLEARANCE_DLQ_RUN_LIMIT instead of draining the topic into the DLQ."""
    settings = make_settings(sqlite_url, dlq_run_limit=3)
    real_decode = decode
    monkeypatch.setattr("ingest.triage.decode", lambda value, **kw: _no_port(real_decode(value, **kw)))
    produce(settings.kafka_bootstrap_servers, settings.events_topic, gate_ins(8), partitions=1)
    with pytest.raises(DeadLetterRunTooLong, match="CLEARANCE_DLQ_RUN_LIMIT=3"):
        run_worker(settings)
    assert committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic) == {}
    assert stored_ids(sqlite_url) == set()


def test_a_decoding_bug_one_message_triggers_dead_letters_that_message_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`decode` raising anything but InvalidEvent is a bug, but stopping on it would crash-loop the
    worker on that message forever: it is dead-lettered (and logged with its traceback)."""
    good = gate_ins(3)
    records = [Record("t", 0, offset, key, value) for offset, (key, value) in enumerate(good)]
    real_decode = decode

    def buggy(value: bytes, **kw: Any) -> ClearanceEvent:
        if value == good[1][1]:
            raise KeyError("a bug\n")
        return real_decode(value, **kw)
    monkeypatch.setattr("ingest.triage.decode", buggy)
    sorted_batch = triage(records, DeadLetterRun(10), 65536)
    assert [e.event_id for e in sorted_batch.events] == ["g0", "g2"]
    assert sorted_batch.records == [records[0], records[2]]
    [letter] = sorted_batch.dead
    assert (letter.offset, letter.value, letter.reason) == (1, good[1][1], "could not be checked: KeyError: 'a bug\\n'")


def test_worker_dead_letters_a_nul_postgresql_refuses_and_carries_on(  # type: ignore[no-untyped-def]
        postgres_url, make_settings, monkeypatch) -> None:
    truncate(postgres_url)
    _worker_isolates(postgres_url, make_settings(postgres_url), monkeypatch, _nul_bl_no)


@pytest.mark.parametrize("error, data", [
    (DataError("INSERT", {}, psycopg.DataError("NUL")), True),
    (IntegrityError("INSERT", {}, psycopg.IntegrityError("not null")), True),
    (psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), True),  # raised by COPY
    (psycopg.errors.NotNullViolation("null value"), True),
    (OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")), False),
    (psycopg.OperationalError("server closed the connection unexpectedly"), False),
    (ValueError("a bug"), False),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v))
def test_only_data_errors_are_isolated(error: Exception, data: bool) -> None:
    """Data errors mean this event can never be stored; anything else (the database is down, a bug) is
    retried and then stops the worker without committing, as before."""
    assert is_data_error(error) is data


def test_a_connection_error_while_isolating_stops_instead_of_dead_lettering() -> None:
    calls: list[int] = []

    def store(events: list[Any]) -> StoreResult:
        calls.append(len(events))
        if len(events) > 1:
            raise DataError("INSERT", {}, psycopg.DataError("NUL"))
        raise OperationalError("INSERT", {}, psycopg.OperationalError("connection lost"))
    with pytest.raises(OperationalError):
        store_isolating(store, [object(), object()])  # type: ignore[list-item]
    assert calls == [2, 1]


def test_several_refused_events_in_one_batch_cost_few_transactions() -> None:
    """Bisecting: about 2·k·log2(n) transactions for k bad events among n, not n."""
    calls: list[int] = []

    def store(events: list[Any]) -> StoreResult:
        calls.append(len(events))
        if any(e == "bad" for e in events):
            raise DataError("INSERT", {}, psycopg.DataError("bad"))
        return StoreResult(len(events), 0, {})
    batch = ["ok"] * 1000
    batch[17] = batch[600] = "bad"
    isolated = store_isolating(store, batch)  # type: ignore[arg-type]
    assert [i for i, _ in isolated.refused] == [17, 600]
    assert isolated.result.stored == 998
    assert len(calls) <= 2 * 2 * 10 + 1


def test_refused_reason_quotes_the_database_precisely() -> None:
    nul = "PostgreSQL text fields cannot contain NUL (0x00) bytes"
    reason = handlers.refusal_reason(psycopg.DataError(nul))
    assert reason == f"the database refused the event (DataError): {nul}"
    wrapped = IntegrityError("INSERT", {}, psycopg.errors.NotNullViolation('null value in column "port"\nDETAIL: x'))
    assert handlers.refusal_reason(wrapped) == \
        'the database refused the event (NotNullViolation): null value in column "port"'
    assert json.dumps(reason)
