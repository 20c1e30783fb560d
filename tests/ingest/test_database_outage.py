"""A worker waits out a database outage of any length: PostgreSQL behind a relay the test cuts for longer
than the worker's retries used to last (30.5 s). The worker keeps running and in its group, commits no
offset of what it could not store, says so on its status line, and stores everything once the database
is back; a SIGTERM during an outage ends it within 5 s, the open batch left uncommitted."""
from __future__ import annotations

import signal
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from events.codec import encode, message_key
from tests.conftest import truncate
from tests.ingest.test_process import count_stored, start_ingest
from tests.support.factories import event
from tests.support.pipeline import committed, end_offsets, produce, wait_until
from tests.support.tcp_proxy import TcpProxy

OUTAGE = 36.0  # seconds: longer than the retries of old (0.5 + 1 + 2 + 4 + 8 + 15)


def gate_ins(prefix: str, count: int) -> list[tuple[bytes | None, bytes]]:
    return [(message_key(e), encode(e)) for e in
            (event("GATE_IN", f"{prefix}{i}", "2026-11-20T08:00:00+08:00") for i in range(count))]


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"))


@pytest.mark.slow
@pytest.mark.faults
def test_a_worker_waits_out_a_long_outage_and_a_sigterm_during_one_is_prompt(postgres_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    truncate(postgres_url)
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432).start()
    settings = make_settings(through(proxy, postgres_url))
    bootstrap, topic, group = settings.kafka_bootstrap_servers, settings.events_topic, settings.group_id
    worker = start_ingest(settings)
    try:
        produce(bootstrap, topic, gate_ins("a", 100))
        wait_until(lambda: count_stored(postgres_url) == 100, 60, "the first 100 stored")
        wait_until(lambda: committed(bootstrap, group, topic) == end_offsets(bootstrap, topic), 30, "committed")
        before = committed(bootstrap, group, topic)
        proxy.cut()
        produce(bootstrap, topic, gate_ins("b", 100))
        time.sleep(OUTAGE)
        assert worker.poll() is None, worker.communicate()[1]
        assert committed(bootstrap, group, topic) == before  # nothing acknowledged that is not stored
        proxy.start()
        wait_until(lambda: count_stored(postgres_url) == 200, 60, "the next 100 stored after the outage")
        wait_until(lambda: committed(bootstrap, group, topic) == end_offsets(bootstrap, topic), 30, "committed")
        after = committed(bootstrap, group, topic)
        proxy.cut()
        produce(bootstrap, topic, gate_ins("c", 50))
        time.sleep(3)  # the batch is open and failing
        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
        took = time.monotonic() - asked
    finally:
        if worker.poll() is None:
            worker.kill()
        proxy.cut()
    assert worker.returncode == 0, err
    assert took <= 5, f"SIGTERM during an outage took {took:.1f}s"
    assert committed(bootstrap, group, topic) == after and count_stored(postgres_url) == 200
    assert "database unreachable" in err
    assert "Traceback" not in err
