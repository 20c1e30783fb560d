"""A worker waits out a database outage of any length: PostgreSQL behind a relay the test cuts for a
minute, twice as long as the worker's retries used to last (30.5 s). The worker keeps running and in its
group, commits no offset of what it could not store, says so on its status line, and stores everything
once the database is back; meanwhile the portal answers 503 with its message, and 200 again after. A
SIGTERM during an outage ends the worker within 5 s, the open batch left uncommitted."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest

from events.codec import encode, message_key
from models.user import Role
from tests.conftest import settings_env, truncate
from tests.e2e.stack import add_accounts
from tests.ingest.test_process import count_stored, start_ingest
from tests.support.factories import event
from tests.support.http import free_port, wait_for_http
from tests.support.pipeline import committed, end_offsets, produce, wait_until
from tests.support.tcp_proxy import TcpProxy

OUTAGE = 60.0  # seconds: twice the retries of old (0.5 + 1 + 2 + 4 + 8 + 15)


def gate_ins(prefix: str, count: int) -> list[tuple[bytes | None, bytes]]:
    return [(message_key(e), encode(e)) for e in
            (event("GATE_IN", f"{prefix}{i}", "2026-11-20T08:00:00+08:00") for i in range(count))]


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"))


def start_portal(settings, direct_url: str) -> tuple[subprocess.Popen[bytes], str, str]:  # type: ignore[no-untyped-def]
    """`clearance portal` on the relayed database, and a port-office token (made on the direct one)."""
    token = add_accounts(direct_url, {"office": (Role.PORT_OFFICE, None, None)})["office"].token
    port = free_port()
    env = settings_env(settings) | {"PORTAL_HOST": "127.0.0.1", "PORTAL_PORT": str(port)}
    portal = subprocess.Popen([sys.executable, "-m", "clearance.cli", "portal"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_http(f"http://127.0.0.1:{port}/login", lambda: None, timeout=60.0)
    return portal, f"http://127.0.0.1:{port}", token


def get(url: str, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
@pytest.mark.faults
def test_a_worker_waits_out_a_long_outage_and_a_sigterm_during_one_is_prompt(postgres_url, make_settings) -> None:  # type: ignore[no-untyped-def]
    truncate(postgres_url)
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432).start()
    settings = make_settings(through(proxy, postgres_url))
    bootstrap, topic, group = settings.kafka_bootstrap_servers, settings.events_topic, settings.group_id
    worker = start_ingest(settings)
    portal, base, token = start_portal(settings, postgres_url)
    try:
        produce(bootstrap, topic, gate_ins("a", 100))
        wait_until(lambda: count_stored(postgres_url) == 100, 60, "the first 100 stored")
        wait_until(lambda: committed(bootstrap, group, topic) == end_offsets(bootstrap, topic), 30, "committed")
        before = committed(bootstrap, group, topic)
        proxy.cut()
        produce(bootstrap, topic, gate_ins("b", 100))
        time.sleep(OUTAGE / 2)
        status, body = get(f"{base}/api/v1/containers", token)
        assert status == 503 and "database" in body["message"].lower(), body
        time.sleep(OUTAGE / 2)
        assert worker.poll() is None, worker.communicate()[1]
        assert committed(bootstrap, group, topic) == before  # nothing acknowledged that is not stored
        proxy.start()
        wait_until(lambda: count_stored(postgres_url) == 200, 60, "the next 100 stored after the outage")
        assert get(f"{base}/api/v1/containers", token)[0] == 200
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
        portal.terminate()
        portal.wait(timeout=30)
        proxy.cut()
    assert worker.returncode == 0, err
    assert took <= 5, f"SIGTERM during an outage took {took:.1f}s"
    assert committed(bootstrap, group, topic) == after and count_stored(postgres_url) == 200
    assert "database unreachable" in err
    assert "Traceback" not in err
