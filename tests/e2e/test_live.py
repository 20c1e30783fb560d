"""End to end over real processes: broker → `clearance ingest` → change feed → `clearance portal` →
a python-socketio client."""
from __future__ import annotations

import os
import queue
import time
from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.e2e.stack import Stack
from tests.support.factories import CONTAINER, event


class LiveClient:
    """A Socket.IO client of /live that queues everything it receives."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.received: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("snapshot", "update", "not_found"):
            self.sio.on(name, self._keep(name), namespace="/live")
        self.sio.connect(stack.base_url, namespaces=["/live"], auth={"token": token}, wait_timeout=10)

    def _keep(self, name: str):  # type: ignore[no-untyped-def]
        return lambda data: self.received.put((name, data))

    def subscribe(self, **message: Any) -> None:
        self.sio.emit("subscribe", message, namespace="/live")

    def next(self, timeout: float = 20.0) -> tuple[str, Any]:
        return self.received.get(timeout=timeout)

    def until(self, predicate, timeout: float = 30.0) -> tuple[str, Any]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            name, data = self.received.get(timeout=max(0.1, deadline - time.monotonic()))
            if predicate(name, data):
                return name, data

    def close(self) -> None:
        self.sio.disconnect()


def types_of(view: dict[str, Any]) -> list[str]:
    return [e["type"] for v in view["visits"] for e in v["timeline"]]


def test_update_reaches_a_subscribed_client(stack: Stack) -> None:
    stack.publish(event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"))
    client = LiveClient(stack, stack.accounts["exporter-a"].token)
    try:
        first = _wait_stored(stack, client)
        stack.publish(event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00"))
        # An update may repeat what the snapshot showed (the feed trails the database): versions tell.
        name, view = client.until(lambda n, d: n == "update" and d["version"] > first["version"])
        assert types_of(view) == ["GATE_IN", "ARRIVAL_REPORTED"]
        assert view["version"] == first["version"] + 1
    finally:
        client.close()


def _wait_stored(stack: Stack, client: LiveClient) -> dict[str, Any]:
    """Subscribe until the container exists (the first event may still be on its way)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        client.subscribe(container_no=CONTAINER)
        name, data = client.until(lambda n, d: n in ("snapshot", "not_found"))  # skip stray updates
        if name == "snapshot":
            return data  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError("container never appeared")


def test_other_enterprise_is_answered_as_if_it_did_not_exist(stack: Stack) -> None:
    stack.publish(event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"))
    owner = LiveClient(stack, stack.accounts["exporter-a"].token)
    stranger = LiveClient(stack, stack.accounts["exporter-b"].token)
    try:
        _wait_stored(stack, owner)
        stranger.subscribe(container_no=CONTAINER)
        refused = stranger.next()
        stranger.subscribe(container_no="APZU4812090")  # does not exist at all
        unknown = stranger.next()
        assert refused[0] == unknown[0] == "not_found"
        stack.publish(event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00"))
        owner.until(lambda n, d: n == "update" and "ARRIVAL_REPORTED" in types_of(d))
        time.sleep(0.5)
        assert stranger.received.empty()
    finally:
        owner.close()
        stranger.close()


def test_client_disconnected_during_updates_converges_after_reconnecting(stack: Stack) -> None:
    stack.publish(event("GATE_IN", "g1", "2026-11-20T08:00:00+08:00"))
    client = LiveClient(stack, stack.accounts["ytct"].token)
    first = _wait_stored(stack, client)
    client.close()
    stack.publish(event("ARRIVAL_REPORTED", "a1", "2026-11-20T08:05:00+08:00"),
                  event("LOADED", "l1", "2026-11-20T10:00:00+08:00"))
    watcher = LiveClient(stack, stack.accounts["office"].token)
    try:
        watcher.subscribe(container_no=CONTAINER)
        watcher.until(lambda n, d: types_of(d).count("LOADED") == 1 if n in ("snapshot", "update") else False)
    finally:
        watcher.close()
    again = LiveClient(stack, stack.accounts["ytct"].token)
    try:
        snapshot = _wait_stored(stack, again)
        assert snapshot["version"] > first["version"]
        assert types_of(snapshot) == ["GATE_IN", "ARRIVAL_REPORTED", "LOADED"]
    finally:
        again.close()


def test_connection_without_credentials_is_refused(stack: Stack) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(stack.base_url, namespaces=["/live"], wait_timeout=5)


def _socket_fds(pid: int) -> int:
    return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))


def test_a_live_client_costs_the_portal_one_socket(stack: Stack) -> None:
    """Over WebSocket (no long-polling), each client holds one file descriptor in the portal process:
    the open-file limit, not memory, is what bounds the connections of a process (BENCHMARKS.md)."""
    portal = stack.processes[1].pid  # `clearance portal` re-execs itself in place: same pid
    before = _socket_fds(portal)
    clients = [socketio.Client(reconnection=False) for _ in range(40)]
    try:
        for client in clients:
            client.connect(stack.base_url, namespaces=["/live"], transports=["websocket"], wait_timeout=10,
                           auth={"token": stack.accounts["office"].token})
        assert {client.transport() for client in clients} == {"websocket"}
        time.sleep(0.5)
        grown = _socket_fds(portal) - before
    finally:
        for client in clients:
            client.disconnect()
    # ~40, give or take a socket the portal opened or closed meanwhile (Kafka, a pool); ~80 when the
    # WebSocket layer dup()s each connection
    assert 30 <= grown <= 55, grown
