"""GET /api/v1/feeds against a stream with known dead letters per publisher and reason, stored by a real
ingest worker on the real broker, on both databases; the silence rule; the originals as inert text."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.testing import FlaskClient

from events.codec import encode, message_key
from models.feed_health import SILENCE, is_silent, silence_limit, usual_gap
from portal.feeds.dead_letters import DeadLetterReader
from tests.ingest.test_worker import run_worker
from tests.portal.conftest import Person
from tests.support.bad_inputs import as_message, valid_event
from tests.support.factories import event
from tests.support.pipeline import produce

NOW = datetime.now(timezone.utc).replace(microsecond=0)
BOXES = ["TCLU1234568", "MSCU7654329", "OOLU8887774", "TGHU5554445"]


def at(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


def good(publisher: str, minutes_ago: list[float]) -> list[tuple[bytes | None, bytes]]:
    events = [event("GATE_IN", f"{publisher}-g{i}", at(m), publisher=publisher, terminal=publisher,
                    container_no=BOXES[i % len(BOXES)]) for i, m in enumerate(minutes_ago)]
    return [(message_key(e), encode(e)) for e in events]


def bad(publisher: str, count: int, **changes: object) -> list[tuple[bytes | None, bytes]]:
    return [(b"bad", as_message(valid_event(publisher=publisher, terminal=publisher, occurred_at=at(5), **changes)))
            for _ in range(count)]


CHECK_DIGIT = "container_no: bad ISO 6346 check digit 3 (expected 2)"
UNKNOWN_TYPE = "type: Must be one of"
HOSTILE = b'<script>window.__xss=1</script>\x00\xff'


def stream() -> list[tuple[bytes | None, bytes]]:
    """Timed from now (NOW is set here, so a test that runs late still counts its own last hour).
    YTCT: busy (every 2 min, 40 in the last hour... ) with 3 check-digit and 2 type dead letters; YTGD:
    quiet for 3 hours after a steady minute-by-minute feed, 1 check-digit dead letter; one unreadable."""
    return (good("YTCT", [2 * i + 1 for i in range(40)]) + bad("YTCT", 3, container_no="CICU3789923")
            + bad("YTCT", 2, type="TEA_BREAK") + good("YTGD", [180 + i for i in range(30)])
            + bad("YTGD", 1, container_no="CICU3789923") + [(None, HOSTILE)])


def _restart_clock() -> None:
    global NOW
    NOW = datetime.now(timezone.utc).replace(microsecond=0)


def fresh_reader(app: Flask) -> None:
    """No cached scan (the tests read the topic right after the worker wrote it)."""
    old: DeadLetterReader = app.extensions["clearance_dead_letters"]
    app.extensions["clearance_dead_letters"] = DeadLetterReader(old._bootstrap, old._topic, ttl=0)


def publishers(client: FlaskClient, person: Person) -> dict[str, dict]:
    response = client.get("/api/v1/feeds", headers=person.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["dead_letters_unavailable"] is None
    return {p["publisher"]: p for p in response.get_json()["publishers"]}


def test_feed_health_counts_stored_events_and_dead_letters_per_publisher_and_reason(  # type: ignore[no-untyped-def]
        app: Flask, client: FlaskClient, people: dict[str, Person], portal_settings, ) -> None:
    _restart_clock()
    produce(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic, stream(), partitions=2)
    run_worker(portal_settings)
    fresh_reader(app)
    seen = publishers(client, people["port_office"])
    assert set(seen) == {"YTCT", "YTGD", "(unknown)"}
    ytct, ytgd = seen["YTCT"], seen["YTGD"]
    assert (ytct["source"], ytct["accepted_last_hour"], ytct["silent"]) == ("TERMINAL", 30, False)
    assert ytct["last_event_at"] == at(1).replace("+00:00", "Z")
    assert ytct["usual_gap_seconds"] == 120
    counts = ytct["dead_letters"]
    assert sum(counts.values()) == 5
    assert [n for reason, n in counts.items() if CHECK_DIGIT in reason] == [3]
    assert [n for reason, n in counts.items() if UNKNOWN_TYPE in reason] == [2]
    assert len(ytct["latest_dead_letters"]) == 5
    assert (ytgd["accepted_last_hour"], ytgd["silent"], ytgd["usual_gap_seconds"]) == (0, True, 60)
    assert list(ytgd["dead_letters"].values()) == [1]
    [unknown] = seen["(unknown)"]["latest_dead_letters"]
    assert unknown["original"] == "\\u003cscript\\u003ewindow.__xss=1\\u003c/script\\u003e\\u0000\\xff"
    assert "<" not in json.dumps(seen["(unknown)"])


def test_a_terminal_sees_its_own_feed_only(app: Flask, client: FlaskClient,  # type: ignore[no-untyped-def]
                                           people: dict[str, Person], portal_settings) -> None:
    _restart_clock()
    produce(portal_settings.kafka_bootstrap_servers, portal_settings.events_topic, stream(), partitions=2)
    run_worker(portal_settings)
    fresh_reader(app)
    assert set(publishers(client, people["terminal_ytct"])) == {"YTCT"}
    assert sum(publishers(client, people["terminal_ytgd"])["YTGD"]["dead_letters"].values()) == 1
    [own] = publishers(client, people["enterprise_a"]).values()  # its own ENTERPRISE feed, empty
    assert (own["source"], own["accepted_last_hour"], own["dead_letters"]) == ("ENTERPRISE", 0, {})


def test_without_a_broker_the_stored_part_still_answers(people: dict[str, Person], make_app,  # type: ignore[no-untyped-def]
                                                         portal_settings) -> None:
    import dataclasses
    app = make_app(dataclasses.replace(portal_settings, kafka_bootstrap_servers="127.0.0.1:9"))
    app.extensions["clearance_dead_letters"]._timeout = 1.0
    body = app.test_client().get("/api/v1/feeds", headers=people["terminal_ytct"].headers).get_json()
    assert "could not be read" in body["dead_letters_unavailable"]
    assert [p["publisher"] for p in body["publishers"]] == ["YTCT"]


def test_the_silence_rule() -> None:
    minute = timedelta(minutes=1)
    steady = [NOW - i * minute for i in range(50)]
    assert usual_gap(steady) == minute and silence_limit(minute) == SILENCE.floor  # 3 min, raised to 10
    assert not is_silent(NOW - 9 * minute, minute, NOW) and is_silent(NOW - 11 * minute, minute, NOW)
    hourly = [NOW - i * 60 * minute for i in range(50)]
    assert silence_limit(usual_gap(hourly)) == timedelta(hours=3)
    assert usual_gap(steady[:4]) is None and silence_limit(None) == SILENCE.ceiling
    assert is_silent(None, None, NOW)
