"""How many live clients this portal process has: written every few seconds to
`<data>/portal-clients.json` for `clearance run`'s status line, whose monitor runs in another process.

The file holds `{"pid", "live_clients", "written_at"}` and is replaced atomically. It speaks for one
portal process: portal processes sharing a data folder overwrite each other's count (the demo runs one).
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PRESENCE_FILE = "portal-clients.json"
WRITE_EVERY_SECONDS = 2.0
STALE_AFTER_SECONDS = 10.0  # a count older than this (or from a process that is gone) is not shown


def live_clients(manager: Any, namespace: str) -> int:
    """Clients of `namespace` that passed authentication (python-socketio enters every client into the
    room None, and keeps those still in the connect handler in `pending_connect`)."""
    connected = len(manager.rooms.get(namespace, {}).get(None, ()))
    return max(0, connected - len(manager.pending_connect.get(namespace, ())))


def write_presence(path: Path, count: int) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps({"pid": os.getpid(), "live_clients": count, "written_at": time.time()}))
    os.replace(temporary, path)


def read_presence(path: Path, now: float | None = None) -> int | None:
    """The live-client count in `path`, or None when there is none that is fresh and from a running
    process."""
    try:
        presence = json.loads(path.read_text())
        written_at, pid, count = float(presence["written_at"]), int(presence["pid"]), int(presence["live_clients"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (now or time.time()) - written_at > STALE_AFTER_SECONDS or not _running(pid):
        return None
    return count


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_presence(data_dir: Path) -> None:
    """Keep `<data_dir>/portal-clients.json` up to date in a background task of the Socket.IO server."""
    from portal.extensions import socketio
    from portal.live.sockets import NAMESPACE

    path = Path(data_dir) / PRESENCE_FILE

    def keep_writing() -> None:
        while True:
            try:
                write_presence(path, live_clients(socketio.server.manager, NAMESPACE))
            except OSError as exc:  # a full or read-only disk must not stop the portal
                log.warning("cannot write %s: %s", path, exc)
            socketio.sleep(WRITE_EVERY_SECONDS)

    path.parent.mkdir(parents=True, exist_ok=True)
    socketio.start_background_task(keep_writing)
