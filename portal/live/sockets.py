"""Socket.IO namespace /live: authorised subscriptions, snapshots, then updates from the change feed."""
from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, emit, join_room
from sqlalchemy.exc import OperationalError

from models.access import Principal, visit_visible
from models.login_session import Credential, valid_credentials
from portal.alerts.sockets import subscribe_alerts
from portal.auth.limits import live_wait
from portal.auth.principal import live_caller
from portal.containers.queries import VisitFilter, page_of_visits
from portal.containers.views import container_summary, container_view, load_container
from portal.db import db_session
from portal.errors import Forbidden, RateLimited, Unavailable, error_payload
from portal.extensions import socketio
from portal.live import rooms

log = logging.getLogger(__name__)
NAMESPACE = "/live"
MINE_SNAPSHOT_SIZE = 100  # the newest visits; the page asks the HTTP API for more
RETRY_AFTER = 5  # seconds a client is told to wait before subscribing again while the database is away
_principals: dict[str, Principal] = {}  # sid -> who connected
_credentials: dict[str, Credential] = {}  # sid -> the token or login session it connected with


@socketio.on("connect", namespace=NAMESPACE)
def connect(auth: dict[str, Any] | None = None) -> bool:
    """A browser or API client connects with its session cookie, or `auth={"token": ...}`, or an
    Authorization header. Anyone else is refused (the client sees a connect_error; a token without the
    read scope, or over its rate limit, with the API's error body as its data). Once its token is
    revoked, its user disabled or its login session ended, the server disconnects it
    (portal.live.revocation)."""
    try:
        caller = live_caller(auth if isinstance(auth, dict) else None)
    except (Forbidden, RateLimited) as exc:  # a token without the read scope, or over its rate limit
        raise ConnectionRefusedError(error_payload(exc)) from None
    except OperationalError as exc:  # the database away: refused with the API's 503 body, not a traceback
        raise ConnectionRefusedError(_unavailable("connect", exc)) from None
    if caller is None or rooms.scope_of(caller.principal) is None:
        return False
    _principals[request.sid] = caller.principal  # type: ignore[attr-defined]
    _credentials[request.sid] = caller.credential  # type: ignore[attr-defined]
    return True


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_: Any) -> None:
    _forget(request.sid)  # type: ignore[attr-defined]


def connected_credentials() -> dict[str, Credential]:
    """sid -> credential of every connection of this process (a copy)."""
    return _credentials.copy()


def disconnect_client(sid: str) -> None:
    """Disconnect a client from the server's side (it receives a disconnect) and forget it."""
    socketio.server.disconnect(sid, namespace=NAMESPACE)  # type: ignore[union-attr]
    _forget(sid)


def _forget(sid: str) -> None:
    _principals.pop(sid, None)
    _credentials.pop(sid, None)


@socketio.on("subscribe", namespace=NAMESPACE)
def subscribe(message: Any) -> None:
    """Sent by a client: {"container_no": ...}, {"scope": "mine"}, {"scope": "alerts"} or (port office)
    {"scope": "all"}.
    The client receives `snapshot` (the current state, with its version) and from then on `update`
    for each change. A subscription it may not have gets `not_found`, exactly as an unknown container.
    A token connection over its rate limit gets `rate_limited` {"request", "retry_after": seconds}; while
    the database is away every subscription gets `unavailable` {"request", "error", "message",
    "retry_after": seconds}: subscribe again then."""
    try:
        _subscribe(message)
    except OperationalError as exc:
        emit("unavailable", {"request": message if isinstance(message, dict) else None,
                             "retry_after": RETRY_AFTER, **_unavailable("subscribe", exc)})


def _unavailable(what: str, exc: OperationalError) -> dict[str, Any]:
    log.warning("live %s refused: database unreachable (%s)", what, type(exc.orig).__name__)
    return error_payload(Unavailable("the database is unavailable; try again in a few seconds"))


def _subscribe(message: Any) -> None:
    principal = _still_valid(request.sid)  # type: ignore[attr-defined]
    wait = live_wait(_credentials[request.sid]) if principal is not None else 0  # type: ignore[attr-defined]
    if wait:
        emit("rate_limited", {"request": message if isinstance(message, dict) else None, "retry_after": wait})
        return
    if principal is None or not isinstance(message, dict):
        emit("not_found", {"request": message if isinstance(message, dict) else None})
        return
    scope = rooms.scope_of(principal)
    assert scope is not None
    container_no = message.get("container_no")
    if isinstance(container_no, str):
        _subscribe_container(principal, scope, container_no.strip().upper())
    elif message.get("scope") == "alerts":
        subscribe_alerts(principal, scope)  # overdue alerts of the caller's scope (portal.alerts.sockets)
    elif message.get("scope") == "mine" or (message.get("scope") == "all" and scope == "all"):
        join_room(rooms.mine_room(scope))
        rows, total = page_of_visits(db_session(), principal, VisitFilter(), 1, MINE_SNAPSHOT_SIZE)
        emit("snapshot", {"scope": message["scope"], "total": total,
                          "containers": [container_summary(c, v, s) for c, v, s in rows]})
    else:
        emit("not_found", {"request": message})


def _subscribe_container(principal: Principal, scope: str, container_no: str) -> None:
    # Join before reading: an update committed after the read is then sure to reach this client.
    room = rooms.container_room(container_no, scope)
    join_room(room)
    try:
        loaded = load_container(db_session(), container_no)
    except OperationalError:
        socketio.server.leave_room(request.sid, room, namespace=NAMESPACE)  # type: ignore[attr-defined]
        raise
    view = container_view(container_no, loaded[0], loaded[1], principal) if loaded else None
    if view is None:
        socketio.server.leave_room(request.sid, room, namespace=NAMESPACE)  # type: ignore[attr-defined]
        emit("not_found", {"request": {"container_no": container_no}})
        return
    emit("snapshot", view)


def _still_valid(sid: str) -> Principal | None:
    """The connection's principal, unless its token was revoked, its user disabled or its login session
    ended or expired since it connected: then it gets nothing more (one query; the revocation watcher
    disconnects it soon after)."""
    principal, credential = _principals.get(sid), _credentials.get(sid)
    if principal is None or credential is None:
        return None
    return principal if valid_credentials(db_session(), [credential]) else None


def broadcast_update(container_no: str, version: int, visits: list[dict[str, Any]]) -> int:
    """Called for each newer state from the change feed: each scope that may see part of the container
    gets it filtered once, in its container room and its "mine" room. Returns to how many rooms."""
    emitted = 0
    for scope in rooms.scopes_concerned(visits):
        container_room, mine_room = rooms.container_room(container_no, scope), rooms.mine_room(scope)
        if _watched(container_room):
            view = container_view(container_no, version, visits, rooms.scope_principal(scope))
            if view is not None:
                socketio.emit("update", view, to=container_room, namespace=NAMESPACE)
                emitted += 1
        if _watched(mine_room):
            summaries = [container_summary(container_no, version, v) for v in visits
                         if visit_visible(rooms.scope_principal(scope), v)]
            if summaries:
                socketio.emit("update", {"scope": "mine", "container_no": container_no, "version": version,
                                         "visits": summaries}, to=mine_room, namespace=NAMESPACE)
                emitted += 1
    return emitted


def _watched(room: str) -> bool:
    """Whether anyone on this process is in the room (most containers have no one watching them live:
    their views are then not built at all). A client joins before it reads its snapshot, so an update
    skipped here is in that snapshot."""
    return bool(socketio.server.manager.rooms.get(NAMESPACE, {}).get(room))  # type: ignore[union-attr]
