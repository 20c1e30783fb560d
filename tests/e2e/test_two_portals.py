"""Two portal processes behind a real nginx configured from deploy/nginx.conf: live clients connected
through nginx to one portal, that portal killed with -9; they reconnect through nginx to the other,
subscribe again and converge to their containers' final state."""
from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import settings_env
from tests.e2e.stack import Stack
from tests.support.factories import CONTAINER, event
from tests.ingest.test_process import count_stored
from tests.support.http import free_port, wait_for_http
from tests.support.nginx import start_nginx
from tests.support.pipeline import wait_until

CLIENTS = 12


class ReconnectingClient:
    """A /live client that subscribes to CONTAINER whenever it (re)connects, and keeps the newest view."""

    def __init__(self, base: str, token: str) -> None:
        self.views: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connects = 0
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self.sio.on("connect", self._subscribe, namespace="/live")
        for name in ("snapshot", "update"):
            self.sio.on(name, self.views.put, namespace="/live")
        self.sio.connect(base, namespaces=["/live"], auth={"token": token}, wait_timeout=10,
                         transports=["websocket"])

    def _subscribe(self) -> None:
        self.connects += 1
        self.sio.emit("subscribe", {"container_no": CONTAINER}, namespace="/live")

    def until_types(self, wanted: list[str], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            view = self.views.get(timeout=max(0.1, deadline - time.monotonic()))
            if [e["type"] for v in view["visits"] for e in v["timeline"]] == wanted:
                return


def start_portal(stack: Stack, data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = settings_env(stack.settings) | {"PORTAL_HOST": "127.0.0.1", "PORTAL_PORT": str(port),
                                          "CLEARANCE_DATA_DIR": str(data_dir)}
    log_file = data_dir / "logs" / f"portal-{port}.log"
    with open(log_file, "ab") as out:
        stack.log_starts[log_file] = out.tell()
        process = subprocess.Popen([sys.executable, "-m", "clearance.cli", "portal"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    wait_for_http(f"http://127.0.0.1:{port}/readyz", lambda: None, timeout=60.0)
    return process, port


def live_clients(port: int) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    found = re.search(r"^clearance_portal_live_clients (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.slow
@pytest.mark.faults
def test_clients_of_a_killed_portal_reconnect_through_nginx_and_converge(stack: Stack, tmp_path: Path) -> None:
    first_port = int(stack.base_url.rsplit(":", 1)[1])
    second, second_port = start_portal(stack, tmp_path / "stack")
    portals = {first_port: stack.processes[1], second_port: second}
    nginx, base = start_nginx(list(portals), tmp_path / "nginx")
    clients: list[ReconnectingClient] = []
    try:
        stack.publish(event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"))
        wait_until(lambda: count_stored(stack.settings.database_url) == 1, 60, "the first event stored")
        clients = [ReconnectingClient(base, stack.accounts["exporter-a"].token) for _ in range(CLIENTS)]
        for client in clients:
            client.until_types(["GATE_IN"])
        serving = [port for port in portals if live_clients(port) == CLIENTS]
        assert len(serving) == 1, "every client through nginx on one portal (the affinity)"
        portals[serving[0]].send_signal(signal.SIGKILL)
        portals[serving[0]].wait(timeout=30)
        stack.publish(event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00"),
                      event("LOADED", "l1", "2026-11-20T10:00:00+08:00"))
        for client in clients:
            client.until_types(["GATE_IN", "ARRIVAL_REPORTED", "LOADED"])
        survivor = next(port for port in portals if port != serving[0])
        assert live_clients(survivor) == CLIENTS and all(c.connects == 2 for c in clients)
    finally:
        for client in clients:
            client.sio.disconnect()
        nginx.terminate()
        nginx.wait(timeout=10)
        if second.poll() is None:
            second.terminate()
            second.wait(timeout=30)
