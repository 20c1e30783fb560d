"""Who is calling: from an `Authorization: Bearer` token, a Socket.IO connect payload's token, or the
browser's login session. The Socket.IO connect handler (portal.live) calls `current_principal(auth)` too."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, request, session

from models.access import Principal, principal_of
from models.user import User, user_for_token
from portal.db import db_session
from portal.errors import Unauthorized
from portal.extensions import csrf

SESSION_USER = "user_id"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def current_principal(auth: Mapping[str, Any] | None = None) -> Principal | None:
    """The caller, or None. A Bearer header wins, then `auth["token"]`, then the session; an unknown or
    revoked token or a disabled user gives None (a bad token never falls back to the session)."""
    token = _bearer_token()
    if token is None and auth and isinstance(auth.get("token"), str):
        token = auth["token"]
    if token is not None:
        user = user_for_token(db_session(), token) if token else None
        return principal_of(user) if user else None
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    user = db_session().get(User, user_id)
    return principal_of(user) if user is not None and not user.disabled else None


def by_session() -> bool:
    """Does this request authenticate with the login session (rather than a token)?"""
    return _bearer_token() is None


def require_principal() -> Principal:
    """The caller of an API request, or Unauthorized (401). A state-changing request authenticated by
    the browser session must carry the CSRF token too; token requests are exempt."""
    if "principal" not in g:
        g.principal = current_principal()
    if g.principal is None:
        raise Unauthorized("authentication required: send Authorization: Bearer <token>, or log in")
    if request.method not in SAFE_METHODS and by_session():
        csrf.protect()
    return g.principal  # type: ignore[no-any-return]


def authenticate() -> None:
    """`before_request` hook of the API blueprints: 401 before anything else is looked at."""
    require_principal()


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
