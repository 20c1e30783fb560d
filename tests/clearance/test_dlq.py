"""`clearance dlq list|show|replay` against the real broker: dead letters written by the real sender (and
by a real worker), filters, a missing offset, replays with the original headers and the replay mark,
replaying twice, dry runs, and a replayed letter stored once the cause is gone."""
from __future__ import annotations

import json

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from sqlalchemy import select

from clearance.cli import build_parser, main
from events import topics
from events.codec import MAX_MESSAGE_BYTES
from events.kafka import ensure_topics, make_producer
from ingest.dead_letters import send_dead_letters
from ingest.triage import DeadLetter
from models import DeadLetterReplay
from models.db import make_engine, session_factory
from tests.conftest import settings_env
from tests.ingest.test_worker import run_worker, stored_ids
from tests.support.factories import doc
from tests.support.pipeline import header, read_all

PRINCIPAL = b"terminal:YTCT:ytct-gate"
BAD_CHECK_DIGIT = doc("GATE_IN", "t-1", "2026-11-20T08:00:00+08:00", container_no="CICU3789921")
MISSING_ID = {k: v for k, v in doc("CUSTOMS_RELEASED", "c-1", "2026-11-20T09:00:00+08:00", source="CUSTOMS",
                                   publisher="4201").items() if k != "event_id"}


def letters() -> list[DeadLetter]:
    """Three dead letters as ingest writes them: not JSON, a bad container number published through the
    portal (with its principal and another header of its own), a customs event without an event_id."""
    return [
        DeadLetter("clearance.events", 2, 100, None, b"nope", "not JSON: Expecting value at line 1 column 1"),
        DeadLetter("clearance.events", 1, 7, b"CICU3789921", json.dumps(BAD_CHECK_DIGIT).encode(),
                   "container_no: bad ISO 6346 check digit 1 (expected 2)",
                   ((topics.PRINCIPAL_HEADER, PRINCIPAL), ("traceparent", b"00-abc-01"))),
        DeadLetter("clearance.events", 0, 55, b"E1", json.dumps(MISSING_ID).encode(), "event_id: Missing data"),
    ]


def write_dead_letters(settings, batch: list[DeadLetter]) -> None:  # type: ignore[no-untyped-def]
    ensure_topics(settings.kafka_bootstrap_servers, {settings.dlq_topic: 1})
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        send_dead_letters(producer, settings.dlq_topic, batch, MAX_MESSAGE_BYTES)
    finally:
        producer.close()


@pytest.fixture
def run(monkeypatch, capsys):  # type: ignore[no-untyped-def]
    """Run `clearance …` in this process with the environment of `settings`: (status, stdout, stderr)."""
    def clearance(settings, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
        for key, value in settings_env(settings).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err
    return clearance


@pytest.fixture
def settings(sqlite_url, make_settings):  # type: ignore[no-untyped-def]
    return make_settings(sqlite_url)


@pytest.mark.parametrize("words", [["dlq"], ["dlq", "list"], ["dlq", "show"], ["dlq", "replay"]], ids=" ".join)
def test_every_dlq_subcommand_has_help(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*words, "--help"])
    assert exited.value.code == 0
    assert f"usage: clearance {' '.join(words)}" in capsys.readouterr().out


def test_list_says_when_the_topic_is_empty_or_nothing_matches(settings, run) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = run(settings, "dlq", "list")
    assert status == 0 and "is empty: nothing was dead-lettered" in out
    write_dead_letters(settings, letters())
    status, out, _ = run(settings, "dlq", "list", "--reason", "no such reason")
    assert status == 0 and "no dead letter matches (3 on" in out


def test_list_filters_by_reason_publisher_and_time(settings, run) -> None:  # type: ignore[no-untyped-def]
    write_dead_letters(settings, letters())
    status, out, _ = run(settings, "dlq", "list")
    rows = out.splitlines()
    assert status == 0 and rows[0].startswith("OFFSET") and len(rows) == 5
    assert [row.split()[0] for row in rows[1:4]] == ["0", "1", "2"]
    assert "terminal:YTCT:ytct-gate" in rows[2] and "CICU3789921" in rows[2] and " no " in rows[2]
    assert rows[4] == f"3 of 3 dead letters on {settings.dlq_topic} match"

    def offsets(*filters: str) -> list[int]:
        status, out, _ = run(settings, "dlq", "list", "--json", *filters)
        assert status == 0
        return [letter["offset"] for letter in json.loads(out)]
    assert offsets("--reason", "CONTAINER_NO") == [1]
    assert offsets("--reason", "not json") == [0]
    assert offsets("--reason", "invalid_fields") == [1, 2]  # the code the ingest metrics count it by
    assert offsets("--reason", "NOT_JSON") == [0]
    assert offsets("--publisher", "ytct-gate") == [1]
    assert offsets("--publisher", "CUSTOMS/4201") == [2]
    assert offsets("--since", "1h") == [0, 1, 2]
    assert offsets("--since", "2099-01-01T00:00:00+08:00") == []
    assert offsets("--limit", "2") == [1, 2]
    status, out, _ = run(settings, "dlq", "list", "--limit", "1")
    assert "3 of 3 dead letters" in out and "the newest 1 shown (--limit)" in out
    status, _, err = run(settings, "dlq", "list", "--since", "yesterday")
    assert status == 2 and "neither an ISO time" in err


def test_show_one_letter_and_a_missing_offset(settings, run) -> None:  # type: ignore[no-untyped-def]
    write_dead_letters(settings, letters())
    status, out, _ = run(settings, "dlq", "show", "1")
    assert status == 0
    assert "container_no: bad ISO 6346 check digit 1 (expected 2) (invalid_fields)" in out
    assert "read from      clearance.events[1]@7" in out and "principal      terminal:YTCT:ytct-gate" in out
    assert "traceparent: 00-abc-01" in out and "never replayed" in out
    assert '    "container_no": "CICU3789921",' in out  # the value pretty-printed
    status, out, _ = run(settings, "dlq", "show", "0", "--json")
    shown = json.loads(out)
    assert status == 0 and (shown["value"], shown["key"], shown["reason_code"]) == ("nope", None, "not_json")
    status, out, err = run(settings, "dlq", "show", "9")
    assert status == 1 and out == ""
    assert f"no dead letter at 9 on {settings.dlq_topic} (partition 0: offsets 0-2)" in err
    assert run(settings, "dlq", "show", "x9")[0] == 2


def test_replay_sends_the_original_key_value_and_headers_with_the_replay_mark(settings, run) -> None:  # type: ignore[no-untyped-def]
    write_dead_letters(settings, letters())
    status, out, err = run(settings, "dlq", "replay", "1", "2", "--by", "ops-li")
    assert status == 0, err
    assert f"2 replayed to {settings.events_topic}, 0 skipped" in out
    sent = {r.key: r for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)}
    assert sorted(sent) == [b"CICU3789921", b"E1"]
    portal_one = sent[b"CICU3789921"]
    assert portal_one.value == json.dumps(BAD_CHECK_DIGIT).encode()
    assert list(portal_one.headers) == [(topics.PRINCIPAL_HEADER, PRINCIPAL), ("traceparent", b"00-abc-01"),
                                        (topics.REPLAY_OF_HEADER, f"{settings.dlq_topic}[0]@1".encode())]
    assert list(sent[b"E1"].headers) == [(topics.REPLAY_OF_HEADER, f"{settings.dlq_topic}[0]@2".encode())]
    status, out, _ = run(settings, "dlq", "list", "--json")
    replayed = {letter["offset"]: letter for letter in json.loads(out)}
    assert [replayed[o]["replayed"] for o in (0, 1, 2)] == [False, True, True]
    [record] = replayed[1]["replays"]
    assert (record["requested_by"], record["events_topic"], record["events_offset"]) == \
        ("ops-li", settings.events_topic, portal_one.offset)
    assert run(settings, "dlq", "list", "--not-replayed", "--json")[1].count('"offset"') == 1


def replay_rows(url: str) -> list[tuple[int, int]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return [(r.dlq_offset, r.attempt) for r in
                    session.scalars(select(DeadLetterReplay).order_by(DeadLetterReplay.id))]
    finally:
        engine.dispose()


def test_replaying_twice_changes_nothing_and_is_recorded_once(database_url, make_settings, run) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    write_dead_letters(settings, letters())
    assert run(settings, "dlq", "replay", "--matching", "--reason", "container_no")[0] == 0
    status, out, _ = run(settings, "dlq", "replay", "1")
    assert status == 0 and "skipped 1: already replayed" in out and "0 replayed" in out
    assert len(read_all(settings.kafka_bootstrap_servers, settings.events_topic)) == 1
    assert replay_rows(database_url) == [(1, 1)]
    status, out, _ = run(settings, "dlq", "replay", "1", "--again")
    assert status == 0 and "1 replayed" in out
    assert len(read_all(settings.kafka_bootstrap_servers, settings.events_topic)) == 2
    assert replay_rows(database_url) == [(1, 1), (1, 2)]
    status, out, _ = run(settings, "dlq", "show", "1")
    assert out.count("    #") == 2 and "#1 asked" in out and "#2 asked" in out


def test_dry_run_sends_and_records_nothing(settings, run) -> None:  # type: ignore[no-untyped-def]
    write_dead_letters(settings, letters())
    assert run(settings, "dlq", "replay", "0")[0] == 0
    status, out, _ = run(settings, "dlq", "replay", "--matching", "--since", "1h", "--dry-run")
    assert status == 0
    assert "would replay 2 of 3 chosen" in out and "would skip 1 already replayed" in out
    assert "nothing sent, nothing recorded" in out
    assert len(read_all(settings.kafka_bootstrap_servers, settings.events_topic)) == 1
    assert replay_rows(settings.database_url) == [(0, 1)]


def test_replay_refuses_bad_choices_and_missing_offsets(settings, run) -> None:  # type: ignore[no-untyped-def]
    write_dead_letters(settings, letters())
    assert run(settings, "dlq", "replay")[0] == 2
    assert run(settings, "dlq", "replay", "--matching")[0] == 2  # no filter: not the whole topic by accident
    assert run(settings, "dlq", "replay", "1", "--matching", "--reason", "x")[0] == 2
    assert run(settings, "dlq", "replay", "1", "--reason", "x")[0] == 2
    status, _, err = run(settings, "dlq", "replay", "1", "3", "0:40")
    assert status == 1 and "no dead letter at 3, 40 on" in err
    assert read_all(settings.kafka_bootstrap_servers, settings.events_topic) == []  # not even the good one
    assert replay_rows(settings.database_url) == []


def test_a_letter_the_broker_refuses_is_not_recorded_and_the_others_are(settings, run) -> None:  # type: ignore[no-untyped-def]
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:  # the dead-letter topic takes larger messages than the events topic (the broker's 1 MiB)
        admin.create_topics([NewTopic(settings.dlq_topic, 1, 1, topic_configs={"max.message.bytes": "3000000"})])
    finally:
        admin.close()
    big = b"x" * 1_500_000
    producer = make_producer(settings.kafka_bootstrap_servers, max_request_size=4_000_000)
    try:
        send_dead_letters(producer, settings.dlq_topic, [DeadLetter("t", 0, 1, b"K1", big, "message is big"),
                                                         DeadLetter("t", 0, 2, b"K2", b"small", "not JSON")],
                          MAX_MESSAGE_BYTES)
    finally:
        producer.close()
    status, _, err = run(settings, "dlq", "replay", "0", "1")
    assert status == 1 and "stopped after" in err and "refused or did not answer" in err
    # the small one shares the refusal when the producer batched both, else it went through: either way
    # what is recorded is exactly what the broker holds, and the refused one left no claim behind
    sent = [r.value for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)]
    assert sent in ([], [b"small"])
    assert replay_rows(settings.database_url) == ([(1, 1)] if sent else [])
    assert run(settings, "dlq", "replay", "1")[0] == 0
    assert [r.value for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)] == [b"small"]
    assert replay_rows(settings.database_url) == [(1, 1)]
    status, out, _ = run(settings, "dlq", "list", "--not-replayed", "--json")
    assert [letter["offset"] for letter in json.loads(out)] == [0]


def test_a_letter_too_large_for_the_topic_goes_cut_and_is_shown_so_and_not_replayed(  # type: ignore[no-untyped-def]
        settings, run) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        admin.create_topics([NewTopic(settings.dlq_topic, 1, 1, topic_configs={"max.message.bytes": "3000"})])
    finally:
        admin.close()
    large = DeadLetter("clearance.events", 0, 9, b"K" * 2000, b"y" * 5000, "message is large",
                       ((topics.PRINCIPAL_HEADER, PRINCIPAL), ("dlq.reason", b"forged")))
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        send_dead_letters(producer, settings.dlq_topic, [large, letters()[0]], 1000)
    finally:
        producer.close()
    shown = {r.value[:4]: r for r in read_all(settings.kafka_bootstrap_servers, settings.dlq_topic)}
    assert sorted(shown) == [b"nope", b"yyyy"]
    cut = shown[b"yyyy"]
    assert (len(cut.key), cut.value) == (1024, b"y" * 1000)
    assert [name for name, _ in cut.headers] == [topics.DLQ_REASON, topics.DLQ_SOURCE_TOPIC,
                                                 topics.DLQ_SOURCE_PARTITION, topics.DLQ_SOURCE_OFFSET, topics.DLQ_CUT]
    size = 2000 + 5000 + len(topics.PRINCIPAL_HEADER) + len(PRINCIPAL) + len("dlq.reason") + len("forged")
    assert header(cut, topics.DLQ_CUT) == str(size) and header(cut, topics.DLQ_REASON) == "message is large"
    status, out, _ = run(settings, "dlq", "show", str(cut.offset))
    assert status == 0 and f"the original was {size:,} bytes, too large for this topic" in out
    assert json.loads(run(settings, "dlq", "show", str(cut.offset), "--json")[1])["cut_from"] == size
    status, out, err = run(settings, "dlq", "replay", "0", "1")
    assert status == 0, err
    assert f"not replaying 1 cut when dead-lettered (too large for the topic; the original is not kept): " \
           f"{cut.offset}" in out
    assert [r.value for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)] == [b"nope"]


def test_a_large_replay_shows_progress(settings, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("clearance.dlq.replay.CHUNK", 2)
    monkeypatch.setattr("clearance.dlq.replay_run.CHUNK", 2)
    write_dead_letters(settings, [DeadLetter("t", 0, i, b"K", b"x%d" % i, "not JSON") for i in range(5)])
    status, out, err = run(settings, "dlq", "replay", "--matching", "--reason", "not json")
    assert status == 0 and "5 replayed" in out
    assert "[dlq replay] 5 of 5 done: replayed 5" in err
    assert [r.value for r in read_all(settings.kafka_bootstrap_servers, settings.events_topic)] == \
        [b"x%d" % i for i in range(5)]


def test_a_worker_keeps_the_headers_and_stores_a_replayed_letter_once_the_cause_is_gone(  # type: ignore[no-untyped-def]
        database_url, make_settings, run) -> None:
    strict = make_settings(database_url, max_message_bytes=300)  # a limit since raised (a contract change)
    big = doc("GATE_IN", "big-1", "2026-11-20T08:00:00+08:00", detail={"remark": "x" * 300})
    ensure_topics(strict.kafka_bootstrap_servers, {strict.events_topic: 1})
    producer = make_producer(strict.kafka_bootstrap_servers)
    for value in (json.dumps(big).encode(), b"{still not json"):
        producer.send(strict.events_topic, key=b"CICU3789922", value=value,
                      headers=[(topics.PRINCIPAL_HEADER, PRINCIPAL)]).get(timeout=30)
    producer.close()
    assert run_worker(strict).stats.dead_lettered == 2
    letters = read_all(strict.kafka_bootstrap_servers, strict.dlq_topic)
    assert header(letters[0], topics.DLQ_REASON).startswith("message is")
    assert [header(r, topics.PRINCIPAL_HEADER) for r in letters] == [PRINCIPAL.decode()] * 2
    assert stored_ids(database_url) == set()
    assert run(strict, "dlq", "replay", "0", "1")[0] == 0
    relaxed = make_settings(database_url)
    worker = run_worker(relaxed)
    assert (worker.stats.stored, worker.stats.dead_lettered) == (1, 1)
    assert stored_ids(database_url) == {"big-1"}
    back = read_all(strict.kafka_bootstrap_servers, strict.dlq_topic)[2]  # the one still invalid
    assert back.value == b"{still not json" and header(back, topics.DLQ_REASON).startswith("not JSON")
    assert [name for name, _ in back.headers] == [topics.DLQ_REASON, topics.DLQ_SOURCE_TOPIC,
                                                  topics.DLQ_SOURCE_PARTITION, topics.DLQ_SOURCE_OFFSET,
                                                  topics.PRINCIPAL_HEADER, topics.REPLAY_OF_HEADER]
    status, out, _ = run(relaxed, "dlq", "show", "2")
    assert f"came back from the replay of {strict.dlq_topic}[0]@1" in out
