"""Disconnecting live clients whose credentials stopped working.

Every `CHECK_SECONDS` each portal process checks the tokens and login sessions its Socket.IO clients
connected with against the database, in one query, and disconnects those whose token was revoked, whose
user was disabled, or whose login session ended (logout) or expired. The database is where `clearance
tokens revoke`, `clearance users disable` and every portal process's logout write, so all processes
agree. Until the check, `subscribe` re-checks on its own (`sockets._still_valid`); updates to rooms
already joined may still arrive for at most one interval.
"""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import OperationalError

from models.login_session import valid_credentials
from portal.db import db_session
from portal.extensions import socketio
from portal.live import sockets

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0


class RevocationWatcher:
    def __init__(self, app: Flask, interval: float = CHECK_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.running = True

    def run(self) -> None:
        """Check every interval until `stop()`; a failed check (database away) is logged and retried."""
        while self.running:
            socketio.sleep(self.interval)
            if not self.running:
                break
            try:
                self.check()
            except OperationalError as exc:  # the database away: expected, said in one line
                log.warning("database unreachable, live clients' credentials not checked; again in %s s (%s)",
                            self.interval, type(exc.orig).__name__)
            except Exception:  # noqa: BLE001 - the watcher must outlive anything
                log.exception("checking live clients' credentials failed; again in %s s", self.interval)

    def stop(self) -> None:
        self.running = False

    def check(self) -> list[str]:
        """Disconnect this process's clients whose credentials no longer hold; returns their sids."""
        connected = sockets.connected_credentials()
        if not connected:
            return []
        with self.app.app_context():
            valid = valid_credentials(db_session(), set(connected.values()))
        stale = [sid for sid, credential in connected.items() if credential not in valid]
        for sid in stale:
            sockets.disconnect_client(sid)
        if stale:
            log.info("disconnected %s live clients: token revoked, user disabled or session ended", len(stale))
        return stale


def start_watcher(app: Flask) -> RevocationWatcher:
    """Start the app's watcher in a background task (app.extensions["clearance_revocation"])."""
    watcher = RevocationWatcher(app)
    app.extensions["clearance_revocation"] = watcher
    socketio.start_background_task(watcher.run)
    return watcher
