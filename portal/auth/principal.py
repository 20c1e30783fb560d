"""Who is calling: from an `Authorization: Bearer` token, a Socket.IO connect payload's token, or the
browser's login session. The Socket.IO connect handler (portal.live) calls `current_caller(auth)`, which
also says what the caller authenticated with, so that its connection can be re-checked later.

The session cookie carries only the secret of a login session kept in the database
(`models.login_session`): logout ends it for every portal process, and it ends 12 hours after login
however often it is used."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g, request, session

from models.access import Principal, principal_of
from models.login_session import SESSION, TOKEN, Credential, session_user
from models.user import token_owner
from portal.db import db_session
from portal.errors import Unauthorized
from portal.extensions import csrf

SESSION_SECRET = "login"  # the cookie's key holding the login session's secret
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Caller:
    principal: Principal
    credential: Credential  # the token or login session it authenticated with


def current_caller(auth: Mapping[str, Any] | None = None) -> Caller | None:
    """The caller and its credential, or None. A Bearer header wins, then `auth["token"]`, then the
    session; an unknown or revoked token, a disabled user, or an ended or expired login session give
    None (a bad token never falls back to the session)."""
    token = _bearer_token()
    if token is None and auth and isinstance(auth.get("token"), str):
        token = auth["token"]
    if token is not None:
        owner = token_owner(db_session(), token) if token else None
        return Caller(principal_of(owner[1]), Credential(TOKEN, owner[0])) if owner else None
    secret = session.get(SESSION_SECRET)
    if not isinstance(secret, str):
        return None
    found = session_user(db_session(), secret)
    return Caller(principal_of(found[1]), Credential(SESSION, found[0].id)) if found else None


def current_principal(auth: Mapping[str, Any] | None = None) -> Principal | None:
    """The caller (see `current_caller`), or None."""
    caller = current_caller(auth)
    return caller.principal if caller else None


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
