"""What a fault test checks once the stream is drained: every valid event stored once in its newest
version, the dead-letter topic holding exactly the bad records the events topic holds, every offset
committed, every container's state equal to one in-order store, the live client converged to the final
state of the containers it follows, and no traceback in any process's log."""
from __future__ import annotations

from sqlalchemy import select

from events import topics
from models import StoredEvent
from models.db import make_engine, session_factory
from tests.e2e.stack import describe_tracebacks
from tests.faults import stream
from tests.faults.live import converged
from tests.faults.rig import Rig
from tests.models.test_order_property import snapshot
from tests.support.pipeline import committed, end_offsets, header, read_all


def assert_everything_once(rig: Rig) -> None:
    settings, url = rig.settings, rig.database_url
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            stored = {(r.source, r.publisher, r.event_id): r.version for r in session.execute(
                select(StoredEvent.source, StoredEvent.publisher, StoredEvent.event_id, StoredEvent.version))}
        assert stored == stream.newest_versions(), "stored events differ from the stream's newest versions"
        bootstrap = settings.kafka_bootstrap_servers
        records = read_all(bootstrap, settings.events_topic, timeout=120)
        bad = {(r.partition, r.offset) for r in records if r.value in stream.bad_values()}
        letters = read_all(bootstrap, settings.dlq_topic, timeout=60)
        # A worker killed after dead-lettering a batch and before committing it dead-letters it again: a
        # letter names its record's position, so a repeated one is known for what it is.
        dead = {(int(header(r, topics.DLQ_SOURCE_PARTITION) or -1), int(header(r, topics.DLQ_SOURCE_OFFSET) or -1))
                for r in letters}
        assert len(records) >= stream.COUNT and len(bad) >= len(stream.bad_values()), (len(records), len(bad))
        assert dead == bad, f"dead letters for {len(dead - bad)} good records, none for {len(bad - dead)} bad ones"
        assert committed(bootstrap, settings.group_id, settings.events_topic) == \
            end_offsets(bootstrap, settings.events_topic)
        assert snapshot(session_factory(engine)) == stream.reference_state()
    finally:
        engine.dispose()


def assert_client_converged(rig: Rig, timeout: float = 120.0) -> None:
    """The live client's newest view of each container it follows is the container's final state."""
    assert rig.watcher is not None
    truth = {}
    for number in rig.watcher.containers:
        status, body = rig.get(f"/api/v1/containers/{number}")
        assert status == 200, body
        truth[number] = (body["version"], body["visits"])
    differ = converged(rig.watcher, truth, timeout)
    assert not differ, f"the live client did not converge for {differ} (missing: {rig.watcher.missing()})"


def assert_no_tracebacks(rig: Rig) -> None:
    found = [t for m in [*rig.workers, *rig.portals.values()] for t in m.tracebacks()]
    assert not found, describe_tracebacks(found)


def assert_all(rig: Rig) -> None:
    assert_everything_once(rig)
    assert_client_converged(rig)
    assert_no_tracebacks(rig)
