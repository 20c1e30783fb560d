"""What `clearance portal` serves with under gevent: the socket options and limits a portal process
needs (measured in BENCHMARKS.md)."""
from __future__ import annotations

import logging
import resource
import socket
from typing import Any

from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler

log = logging.getLogger(__name__)


class NoDelayHandler(WebSocketHandler):  # type: ignore[misc]
    """The request handler of a portal process.

    WebSockets through gevent-websocket, which speaks on the accepted socket itself: simple-websocket,
    Engine.IO's fallback, dup()s it, so every live client held two file descriptors.

    TCP_NODELAY: pywsgi writes a response's headers and body with two send() calls; with Nagle on, the
    body waits for the client's delayed ACK of the headers (40 ms on Linux). GET
    /api/v1/containers/<no> went from 52 ms to 6 ms p50."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, *args, **kwargs)


def make_server(app: Any, host: str, port: int, log_requests: bool) -> pywsgi.WSGIServer:
    """The gevent WSGI server of a portal process (bound, not yet serving)."""
    return pywsgi.WSGIServer((host, port), app, handler_class=NoDelayHandler, log="default" if log_requests else None)


def raise_open_file_limit() -> int:
    """A live client holds one socket in the portal: raise the soft limit on open files to the hard
    one. Returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 4096:
        log.warning("open-file limit %s: the portal holds one per live client; raise LimitNOFILE", hard)
    return hard
