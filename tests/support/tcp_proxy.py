"""A TCP relay on loopback in front of a real server, that a test can cut and restore: to the client
behind it the server is gone (open connections reset, new ones refused) and later back, while the real
server goes on serving every other test."""
from __future__ import annotations

import socket
import threading
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    @classmethod
    def before(cls, url: str) -> TcpProxy:
        """A started relay in front of the server of a database URL."""
        target = urlsplit(url)
        return cls(target.hostname or "127.0.0.1", target.port or 5432).start()

    def url(self, url: str) -> str:
        """`url` with its host and port replaced by the relay's."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{self.port}"))

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._pumps: list[threading.Thread] = []
        self.port = 0

    def start(self) -> TcpProxy:
        """Listen (on the same port after a `cut`) and relay every connection to the target."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Stop listening and reset every relayed connection."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._open = self._open, []
        if listener is not None:
            listener.close()
        for sock in sockets:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                # shutdown first: a close() alone leaves the socket open while a pump thread is blocked
                # in recv() on it, and the server then keeps the session (and its open transaction) for ever
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()
        with self._lock:
            pumps, self._pumps = self._pumps, []
        for pump in pumps:  # woken by the shutdown: none is left running behind the test
            pump.join(timeout=2)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                pump = threading.Thread(target=_pump, args=(source, sink), daemon=True)
                pump.start()
                with self._lock:
                    self._pumps = [p for p in self._pumps if p.is_alive()] + [pump]


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
