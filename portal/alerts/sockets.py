"""Alerts on the /live namespace: `subscribe {"scope": "alerts"}` (dispatched by portal.live.sockets)
and the push of each new or changed alert from the alerts topic (portal.alerts.feed).

Rooms are per visibility scope (portal.live.rooms): an alert goes to the rooms of the scopes that see
its visit — the port office's, its terminal's, its enterprise's and its declarant's — and no other."""
from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from models.access import Principal
from models.alerts import State, page_of_alerts
from portal.db import db_session
from portal.extensions import socketio
from portal.live import rooms

SNAPSHOT_SIZE = 100  # the newest standing alerts; the page asks GET /api/v1/alerts for more
STANDING = (State.OPEN.value, State.ACKNOWLEDGED.value)


def alerts_room(scope: str) -> str:
    return f"alerts|{scope}"


def subscribe_alerts(principal: Principal, scope: str) -> None:
    """Sent by any signed-in client: it receives `snapshot` {"scope": "alerts", "total", "alerts": the
    newest standing (open or acknowledged) alerts it may see}, then `update` {"scope": "alerts",
    "alert": ...} for every alert of its scope that is raised or changes (cleared ones included)."""
    join_room(alerts_room(scope))  # before reading: a change committed after the read still arrives
    alerts, total = page_of_alerts(db_session(), principal, STANDING, 1, SNAPSHOT_SIZE)
    emit("snapshot", {"scope": "alerts", "total": total, "alerts": alerts})


def broadcast_alert(alert: dict[str, Any]) -> int:
    """Called for each newer alert version from the alerts topic: emitted to the alerts room of every
    scope that sees its visit. Returns to how many rooms."""
    from portal.live.sockets import NAMESPACE

    sent = 0
    for scope in rooms.scopes_concerned([alert]):
        room = alerts_room(scope)
        if socketio.server.manager.rooms.get(NAMESPACE, {}).get(room):  # type: ignore[union-attr]
            socketio.emit("update", {"scope": "alerts", "alert": alert}, to=room, namespace=NAMESPACE)
            sent += 1
    return sent
