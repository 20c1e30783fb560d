"""A rebalance while a fan-out is in flight, with the real broker and two `clearance ingest` workers on
PostgreSQL: the stale owner is fenced (README, "Several workers, no lock shared by all").

Partition 0 carries declaration D's events, partition 1 its containers' events, and each worker owns
one. The test holds the milestone rows of D's containers, so the worker storing D's customs release (A,
partition 0) stops in the middle of its batch: its events written, its locks taken, its containers
read and their rows written, their milestones not yet. A is SIGSTOPped there and the milestone rows let
go; the containers' loadings are published, and B must wait for A to store them (pg_blocking_pids).
A stays stopped past its session timeout, so partition 0 is taken from it while its batch is open;
then SIGCONT: A commits its batch, its offset commit is refused, and the release is stored again by
partition 0's owner after the rebalance. The state must be that of one store of everything in order.
(With the locks turned off B reads the containers before A commits and writes the loadings over them
without the release, and the replay changes nothing, the release being stored: this test fails.)"""
from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient
from sqlalchemy import Connection, text
from stdnum import iso6346

from clearance.config import Settings
from events.codec import ClearanceEvent, encode, message_key
from events.kafka import ensure_topics, make_producer
from models.db import make_engine, session_factory
from tests.conftest import settings_env, truncate
from tests.ingest.test_crash_recovery import start_worker
from tests.ingest.test_process import count_stored
from tests.models.test_order_property import memory_sessions, snapshot, store_in_batches
from tests.models.test_stale_owner import timelines
from tests.support.factories import DECLARATION, declaration, event
from tests.support.pipeline import committed, end_offsets, wait_until

Workers = tuple[Settings, dict[str, "subprocess.Popen[bytes]"]]
SESSION_SECONDS = 6  # the broker's least
DECLARATION_PARTITION, CONTAINER_PARTITION = 0, 1
NAMES = ("worker-a", "worker-b")  # each worker's application_name (PGAPPNAME) in pg_stat_activity


def container_no(serial: int) -> str:
    body = f"MSKU{510000 + serial:06d}"
    return body + iso6346.calc_check_digit(body)


CONTAINERS = [container_no(i) for i in range(20)]
GATE_INS = [event("GATE_IN", f"g{i}", "2026-11-20T08:00:00+08:00", container_no=c, declaration_no=DECLARATION)
            for i, c in enumerate(CONTAINERS)]
RELEASE = declaration("CUSTOMS_RELEASED", "r1", "2026-11-20T09:00:00+08:00")  # reaches all 20
LOADINGS = [event("LOADED", f"l{i}", "2026-11-21T07:00:00+08:00", container_no=c)
            for i, c in enumerate(CONTAINERS)]


def publish(settings: Settings, partition: int, events: list[ClearanceEvent]) -> None:
    producer = make_producer(settings.kafka_bootstrap_servers)
    for e in events:
        producer.send(settings.events_topic, key=message_key(e), value=encode(e), partition=partition)
    producer.flush()
    producer.close()


def group(settings: Settings) -> tuple[str, dict[str, list[int]]]:
    """The group's state and {member id: its partitions}, as the coordinator has them."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        found = admin.describe_groups([settings.group_id])[settings.group_id]
    finally:
        admin.close()
    return found["group_state"], {
        m["member_id"]: sorted(p for topic in (m["member_assignment"] or {}).get("assigned_partitions", ())
                               for p in topic["partitions"]) for m in found["members"]}


def stable_owners(settings: Settings) -> dict[int, str]:
    """{partition: member id} once the group is stable with each worker owning one partition."""
    state, members = group(settings)
    owners = {p: member for member, parts in members.items() for p in parts}
    return owners if state == "Stable" and sorted(members.values()) == [[0], [1]] else {}


def blocked_by(connection: Connection, holder_pid: int | None = None, holder_name: str | None = None) -> set[str]:
    """The application names of the backends waiting for a lock of `holder_pid` (or of a backend named
    `holder_name`)."""
    rows = connection.execute(text(
        "SELECT w.application_name FROM pg_stat_activity w JOIN pg_stat_activity h "
        "ON h.pid = ANY(pg_blocking_pids(w.pid)) WHERE h.pid = :pid OR h.application_name = :name"),
        {"pid": holder_pid, "name": holder_name})
    return {name for name, in rows}


@pytest.fixture
def workers(postgres_url: str, make_settings) -> Iterator[Workers]:  # type: ignore[no-untyped-def]
    """Two `clearance ingest` workers in one group on a topic of two partitions, sessions of 6 s."""
    truncate(postgres_url)
    settings = make_settings(postgres_url, batch_size=100, batch_seconds=0.2)
    ensure_topics(settings.kafka_bootstrap_servers, {settings.events_topic: 2, settings.dlq_topic: 1})
    env = settings_env(settings) | {"CLEARANCE_SESSION_SECONDS": str(SESSION_SECONDS)}
    running = {name: start_worker(env | {"PGAPPNAME": name}) for name in NAMES}
    yield settings, running
    stop(running)


def stop(running: dict[str, subprocess.Popen[bytes]]) -> dict[str, str]:
    """SIGTERM the workers (SIGCONT first, in case); what each wrote to stderr."""
    for worker in running.values():
        if worker.returncode is None:
            worker.send_signal(signal.SIGCONT)
            worker.send_signal(signal.SIGTERM)
    return {name: (worker.communicate(timeout=60)[1] or b"").decode() for name, worker in running.items()
            if worker.returncode is None}


@pytest.mark.slow
@pytest.mark.faults
def test_a_worker_stopped_mid_fan_out_past_its_session_is_fenced(
        postgres_url: str, workers: Workers) -> None:
    settings, running = workers
    wait_until(lambda: bool(stable_owners(settings)), 30, "each worker to own one partition")
    stale_member = stable_owners(settings)[DECLARATION_PARTITION]
    publish(settings, CONTAINER_PARTITION, GATE_INS)
    wait_until(lambda: count_stored(postgres_url) == len(GATE_INS), 30, "the gate-ins stored")
    engine = make_engine(postgres_url)
    # autocommit: pg_stat_activity is read once a transaction
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher, \
            engine.connect() as milestones:
        lock_pid = milestones.execute(text("SELECT pg_backend_pid()")).scalar_one()
        milestones.execute(text("SELECT 1 FROM visit_milestones WHERE container_no = ANY(:nos) FOR UPDATE"),
                           {"nos": CONTAINERS})
        publish(settings, DECLARATION_PARTITION, [RELEASE])
        wait_until(lambda: bool(blocked_by(watcher, holder_pid=lock_pid)), 30, "the release's store to stop")
        [stale] = blocked_by(watcher, holder_pid=lock_pid)
        [new] = set(NAMES) - {stale}
        running[stale].send_signal(signal.SIGSTOP)
        milestones.commit()  # the stale owner's backend goes on; its process does not
        publish(settings, CONTAINER_PARTITION, LOADINGS)
        wait_until(lambda: new in blocked_by(watcher, holder_name=stale), 20, "the new owner to wait")
        wait_until(lambda: stale_member not in group(settings)[1], SESSION_SECONDS * 3,
                   "the stopped worker's session to end")
        assert new in blocked_by(watcher, holder_name=stale)  # its batch still open, its partition gone
        running[stale].send_signal(signal.SIGCONT)
    ends = end_offsets(settings.kafka_bootstrap_servers, settings.events_topic)
    wait_until(lambda: committed(settings.kafka_bootstrap_servers, settings.group_id, settings.events_topic)
               == ends, 30, "every offset committed: the release too, by partition 0's owner after the rebalance")
    expected = memory_sessions()
    store_in_batches(expected, [*GATE_INS, RELEASE, *LOADINGS], [])
    state = snapshot(session_factory(engine))
    assert timelines(state) == timelines(snapshot(expected))
    assert state == snapshot(expected)
    engine.dispose()
    assert "offset commit refused after a rebalance" in stop(running)[stale]  # it was fenced from Kafka too
