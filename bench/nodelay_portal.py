"""`clearance portal` with one change, for A/B runs of the benchmarks: TCP_NODELAY on every accepted
socket. gevent's pywsgi writes a response's headers and its body with two send() calls; without
TCP_NODELAY, Nagle holds the body back until the client ACKs the headers, and a client that has nothing
to send delays that ACK (Linux: 40 ms). Same app, same configuration (the environment), same server."""
from gevent import monkey

monkey.patch_all()

import signal
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gevent
from gevent import pywsgi

from clearance.config import from_environ
from portal import create_app
from portal.config import PortalConfig, secret_key_for
from portal.extensions import socketio


class NoDelayHandler(pywsgi.WSGIHandler):
    def __init__(self, sock, *args, **kwargs):  # type: ignore[no-untyped-def]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, *args, **kwargs)


def main() -> None:
    settings = from_environ()
    app = create_app(PortalConfig(settings, secret_key_for(settings), async_mode="gevent"))
    gevent.signal_handler(signal.SIGTERM, socketio.stop)
    socketio.run(app, host=settings.portal_host, port=settings.portal_port, handler_class=NoDelayHandler)


if __name__ == "__main__":
    main()
