"""`clearance portal`: serve the portal (HTTP API, login pages, Socket.IO) with gevent."""
from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import signal
import sys

from clearance.config import Settings, portal_config

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "portal", help="serve the portal on PORTAL_HOST:PORTAL_PORT",
        description="The web portal: login pages, the /api/v1 HTTP API (OpenAPI at /api/v1/openapi.json) "
                    "and Socket.IO live updates, on gevent. Session cookies are Secure unless the host is "
                    "loopback. SIGTERM or Ctrl-C stops it.")
    parser.add_argument("--host", help="listen on this address (default PORTAL_HOST)")
    parser.add_argument("--port", type=int, help="listen on this port (default PORTAL_PORT)")
    parser.set_defaults(handler=_portal)


# Run in a fresh interpreter: gevent patches the standard library first, then the command runs again.
_PATCHED_START = ("from gevent import monkey; monkey.patch_all()\n"
                  "import sys\n"
                  "from clearance.cli import main\n"
                  "sys.exit(main(sys.argv[1:]))")


def _portal(args: argparse.Namespace, settings: Settings) -> int:
    from gevent import monkey
    if not monkey.is_module_patched("socket"):
        # kafka-python captured the unpatched selectors, threads and locks when `clearance` imported the
        # other commands; patching now would leave its IO loop blocking the gevent hub. So this process
        # becomes a new interpreter (same pid, same environment) that patches before importing anything.
        argv = ["portal", *(["--host", args.host] if args.host else []),
                *(["--port", str(args.port)] if args.port else [])]
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-c", _PATCHED_START, *argv])
    return _serve(args, settings)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM or Ctrl-C (in the patched process)."""
    import gevent

    from portal import create_app
    from portal.config import secret_key_for
    from portal.events.publisher import close_publisher
    from portal.extensions import socketio
    from portal.server import make_server, raise_open_file_limit

    raise_open_file_limit()
    settings = dataclasses.replace(settings, portal_host=args.host or settings.portal_host,
                                   portal_port=args.port or settings.portal_port)
    config = portal_config(settings, secret_key_for(settings.portal_secret_key, settings.data_dir),
                           async_mode="gevent")
    app = create_app(config)
    # What start-up made lives as long as the process: out of the collector's sight, a full collection
    # scans ~17,000 objects instead of ~180,000, and pauses a request for 3 ms instead of ~100 ms (a
    # month's figures allocate enough to set one off every few requests; BENCHMARKS.md).
    gc.freeze()
    gevent.signal_handler(signal.SIGTERM, socketio.stop)
    print(f"portal: http://{settings.portal_host}:{settings.portal_port}/ (API /api/v1, "
          f"database {settings.database_url.split('@')[-1]})", flush=True)
    try:
        server = make_server(app, settings.portal_host, settings.portal_port, settings.log_level == "DEBUG")
        socketio.wsgi_server = server  # what socketio.stop() stops
        server.serve_forever()
    except OSError as exc:
        print(f"clearance portal: cannot serve on {settings.portal_host}:{settings.portal_port}: {exc}",
              file=sys.stderr)
        return 1
    finally:
        close_publisher(app)
    print("portal: stopped", flush=True)
    return 0
