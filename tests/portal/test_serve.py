"""`clearance portal` as a real process: gevent, kafka-python under gevent, SIGTERM."""
from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable

from clearance.config import Settings
from models.db import make_engine, session_factory
from models.user import Role, create_user, issue_token
from tests.conftest import settings_env
from tests.support.factories import doc
from tests.support.http import answers, free_port
from tests.support.pipeline import read_all, wait_until


def port_office_token(url: str) -> str:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        _, token = issue_token(session, create_user(session, "po", Role.PORT_OFFICE))
        session.commit()
    engine.dispose()
    return token


def test_portal_serves_and_publishes_to_kafka_under_gevent(sqlite_url: str,
                                                           make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(sqlite_url)
    token, port = port_office_token(sqlite_url), free_port()
    env = settings_env(settings) | {"PORTAL_PORT": str(port)}
    portal = subprocess.Popen([sys.executable, "-m", "clearance.cli", "portal"], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: portal.poll() is not None or answers(f"{base}/login"), 60, "the portal to answer")
        assert portal.poll() is None
        request = urllib.request.Request(
            f"{base}/api/v1/events", method="POST",
            data=json.dumps(doc("GATE_IN", "served-1", "2026-11-20T08:00:00+08:00")).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
            assert json.loads(response.read())["accepted"] == ["served-1"]
        [record] = read_all(settings.kafka_bootstrap_servers, settings.events_topic)
        assert json.loads(record.value)["event_id"] == "served-1"
        with urllib.request.urlopen(f"{base}/socket.io/?EIO=4&transport=polling", timeout=5) as response:
            assert b'"sid"' in response.read()  # Engine.IO answers in gevent mode
    finally:
        portal.send_signal(signal.SIGTERM)
        out, err = portal.communicate(timeout=30)
    assert portal.returncode == 0, err
    assert f"portal: http://127.0.0.1:{port}/" in out and "portal: stopped" in out
    secret = settings.data_dir / "portal-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(secret.read_text().strip()) >= 32
