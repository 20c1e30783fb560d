"""Extensions, created unbound; `create_app` binds them."""
from __future__ import annotations

from flask_smorest import Api
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from portal.errors import ErrorSchema


class PortalApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting our error body ({"error", "message"})."""

    ERROR_SCHEMA = ErrorSchema


socketio = SocketIO()
csrf = CSRFProtect()
api = PortalApi()
