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
from models.user import READ, SCOPES, token_owner
from portal.auth.limits import admitted
from portal.auth.scopes import SAFE_METHODS, check_scopes, required_scopes
from portal.db import db_session
from portal.errors import Unauthorized
from portal.extensions import csrf

SESSION_SECRET = "login"  # the cookie's key holding the login session's secret


@dataclass(frozen=True)
class Caller:
    principal: Principal
    credential: Credential  # the token or login session it authenticated with
    scopes: frozenset[str] = frozenset(SCOPES)  # a token's scopes; a login session has them all
    token_label: str | None = None

    @property
    def by_token(self) -> bool:
        return self.credential.kind == TOKEN


def current_caller(auth: Mapping[str, Any] | None = None) -> Caller | None:
    """The caller and its credential, or None. A Bearer header wins, then `auth["token"]`, then the
    session; an unknown or revoked token, a disabled user, or an ended or expired login session give
    None (a bad token never falls back to the session)."""
    token = _bearer_token()
    if token is None and auth and isinstance(auth.get("token"), str):
        token = auth["token"]
    if token is not None:
        owner = token_owner(db_session(), token) if token else None
        if owner is None:
            return None
        row, user = owner
        return Caller(principal_of(user), Credential(TOKEN, row.id), row.scope_set, row.label)
    secret = session.get(SESSION_SECRET)
    if not isinstance(secret, str):
        return None
    found = session_user(db_session(), secret)
    return Caller(principal_of(found[1]), Credential(SESSION, found[0].id)) if found else None


def live_caller(auth: Mapping[str, Any] | None) -> Caller | None:
    """The caller of a Socket.IO connect (see `current_caller`), held to its token's rate limit and to
    the read scope, like an API request: RateLimited or Forbidden otherwise."""
    token_given = _bearer_token() is not None or bool(auth and isinstance(auth.get("token"), str))
    caller = admitted(current_caller(auth), token_given)
    if caller is not None and caller.by_token:
        check_scopes(caller.scopes, {READ}, "live updates (Socket.IO /live)")
    return caller


def current_principal(auth: Mapping[str, Any] | None = None) -> Principal | None:
    """The caller (see `current_caller`), or None."""
    caller = current_caller(auth)
    return caller.principal if caller else None


def by_session() -> bool:
    """Does this request authenticate with the login session (rather than a token)?"""
    return _bearer_token() is None


def require_principal() -> Principal:
    """The caller of an API request (see `require_caller`)."""
    return require_caller().principal


def require_caller() -> Caller:
    """The caller of an API request, or Unauthorized (401). A token is first held to its rate limit
    (RateLimited, 429; once per request) and then to its scopes (Forbidden, 403); an unknown token
    counts against its address's limit. A state-changing request authenticated by the browser session
    must carry the CSRF token too; token requests are exempt."""
    if "caller" not in g:
        g.caller = admitted(current_caller(), _bearer_token() is not None)
    caller: Caller | None = g.caller
    if caller is None:
        raise Unauthorized("authentication required: send Authorization: Bearer <token>, or log in")
    if caller.by_token:
        check_scopes(caller.scopes, required_scopes())
    elif request.method not in SAFE_METHODS:
        csrf.protect()
    return caller


def authenticate() -> None:
    """`before_request` hook of the API blueprints: 401 before anything else is looked at."""
    require_principal()


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
