"""The change feed on the real broker: after the database commit, every changed container's new state;
after a replay, the current state of what the replayed batch touched."""
from __future__ import annotations

import json

from events.codec import encode, message_key
from models.db import make_engine, session_factory
from models.operations import container_visits, store_events
from tests.ingest.test_worker import run_worker
from tests.support.factories import CONTAINER, OTHER_CONTAINER, declaration, event
from tests.support.pipeline import produce, read_all

EVENTS = [
    event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"),
    event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00"),
    declaration("DECLARATION_ACCEPTED", "d1", "2026-11-20T07:00:00+08:00", containers=[CONTAINER, OTHER_CONTAINER]),
]


def feed(settings) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    messages: dict[str, list[dict]] = {}
    for record in read_all(settings.kafka_bootstrap_servers, settings.updates_topic):
        updates = json.loads(record.value)["updates"]
        assert record.key.decode() == updates[0]["container_no"]
        for update in updates:
            messages.setdefault(update["container_no"], []).append(update)
    return messages


def stored_state(url: str, container_no: str) -> list[dict]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        visits = container_visits(session, container_no)
    engine.dispose()
    return visits


def test_each_change_is_announced_with_its_version(database_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(database_url)
    produce(settings.kafka_bootstrap_servers, settings.events_topic, [(message_key(e), encode(e)) for e in EVENTS])
    run_worker(settings)
    updates = feed(settings)
    assert set(updates) == {CONTAINER, OTHER_CONTAINER}
    latest = max(updates[CONTAINER], key=lambda u: u["version"])
    assert latest["visits"] == stored_state(database_url, CONTAINER)
    assert [e["event_id"] for e in latest["visits"][0]["timeline"]] == ["d1", "g1", "a1"]


def test_replay_after_a_crash_announces_the_current_state_again(sqlite_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    """The worker committed the database, then died before the feed and the offsets: on replay nothing
    changes in the database, yet the feed still gets the state it missed."""
    settings = make_settings(sqlite_url)
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        store_events(session, EVENTS)
        session.commit()
    engine.dispose()
    produce(settings.kafka_bootstrap_servers, settings.events_topic, [(message_key(e), encode(e)) for e in EVENTS])
    worker = run_worker(settings)
    assert worker.stats.stored == 0
    updates = feed(settings)
    assert set(updates) == {CONTAINER, OTHER_CONTAINER}
    assert updates[CONTAINER][-1]["visits"] == stored_state(sqlite_url, CONTAINER)
    assert updates[CONTAINER][-1]["version"] == 1


def test_a_state_too_large_for_the_topic_goes_as_a_stand_in(  # type: ignore[no-untyped-def]
        database_url, make_settings) -> None:
    """A container whose state the feed topic refuses as too large (the broker's 1 MiB: a long history,
    or here 300 events with 4,000 bytes of detail each, the contract's most being 4,096) is announced
    with `"visits": null` for the portal to read it from the database; the worker goes on, and the other
    container's state goes as usual. Before, the worker asked the broker again and again."""
    settings = make_settings(database_url)
    large = [event("GATE_IN", f"g{i}", f"2026-11-20T{8 + i // 60:02}:{i % 60:02}:00+08:00",
                   detail={"note": "x" * 4000}) for i in range(300)]
    small = event("GATE_IN", "o1", "2026-11-20T08:00:00+08:00", container_no=OTHER_CONTAINER)
    produce(settings.kafka_bootstrap_servers, settings.events_topic,
            [(message_key(e), encode(e)) for e in [*large, small]], partitions=1)
    run_worker(settings, within=90)
    updates = feed(settings)
    latest = max(updates[CONTAINER], key=lambda u: u["version"])  # earlier batches may have sent smaller states
    assert latest["visits"] is None
    assert [u["visits"] for u in updates[OTHER_CONTAINER]] == [stored_state(database_url, OTHER_CONTAINER)]
    assert len(stored_state(database_url, CONTAINER)[0]["timeline"]) == 300
