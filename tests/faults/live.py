"""A live client, as a browser would be: Socket.IO through nginx, following some containers, keeping the
newest view of each (by version), subscribing again after every reconnect and asking again for a
container the portal did not have yet."""
from __future__ import annotations

import threading
import time
from typing import Any

import socketio

NAMESPACE = "/live"


class LiveWatcher:
    def __init__(self, base: str, token: str, containers: list[str]) -> None:
        self.containers = containers
        self.newest: dict[str, dict[str, Any]] = {}
        self.connects = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self.sio.on("connect", self._connected, namespace=NAMESPACE)
        self.sio.on("snapshot", self._view, namespace=NAMESPACE)
        self.sio.on("update", self._view, namespace=NAMESPACE)
        self.sio.connect(base, namespaces=[NAMESPACE], auth={"token": token}, wait_timeout=10,
                         transports=["websocket"])
        self._asker = threading.Thread(target=self._ask_for_missing, name="live-asker", daemon=True)
        self._asker.start()

    def _connected(self) -> None:
        self.connects += 1
        for number in self.containers:
            self.sio.emit("subscribe", {"container_no": number}, namespace=NAMESPACE)

    def _view(self, view: dict[str, Any]) -> None:
        number = view.get("container_no")
        if number not in self.containers or "visits" not in view or "version" not in view:
            return
        with self._lock:
            if number not in self.newest or self.newest[number]["version"] < view["version"]:
                self.newest[number] = view

    def _ask_for_missing(self) -> None:
        """A container not stored yet answers not_found and is not followed: ask again every 2 s."""
        while not self._stop.wait(2.0):
            if not self.sio.connected:
                continue
            for number in self.missing():
                try:
                    self.sio.emit("subscribe", {"container_no": number}, namespace=NAMESPACE)
                except socketio.exceptions.SocketIOError:
                    break  # disconnected meanwhile; the reconnect subscribes again

    def missing(self) -> list[str]:
        with self._lock:
            return [number for number in self.containers if number not in self.newest]

    def seen(self, number: str) -> tuple[int, list[Any]] | None:
        with self._lock:
            view = self.newest.get(number)
        return (view["version"], view["visits"]) if view else None

    def close(self) -> None:
        self._stop.set()
        self.sio.disconnect()


def converged(watcher: LiveWatcher, truth: dict[str, tuple[int, list[Any]]], timeout: float) -> list[str]:
    """Wait until the watcher's newest view of each container equals `truth`; return those that differ."""
    deadline = time.monotonic() + timeout
    while True:
        differ = [number for number, state in truth.items() if watcher.seen(number) != state]
        if not differ or time.monotonic() > deadline:
            return differ
        time.sleep(0.5)
