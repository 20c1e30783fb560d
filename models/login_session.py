"""Browser login sessions, kept in the database so that every portal process agrees on them.

The browser's cookie carries a random secret; only its SHA-256 is stored. A session ends at logout
(`ended_at`) or `LOGIN_LIFETIME` after it began, however often it is used: use never extends it. A
session of a disabled user is no session. `valid_credentials` checks many API tokens and sessions in
one query (the portal's live connections are re-checked that way).
Functions take a Session first, flush, and never commit.
"""
from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    Select,
    String,
    delete,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.dialect import one_of
from models.user import ApiToken, User, now, token_digest

LOGIN_LIFETIME = timedelta(hours=12)  # from login, whatever happens after it
TOKEN, SESSION = "token", "session"


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Credential:
    """What a caller authenticated with: an API token or a login session (`kind`), by row id."""

    kind: str  # TOKEN or SESSION
    id: int


def start_session(session: Session, user: User) -> tuple[LoginSession, str]:
    """A new login session for the user: (stored row, the secret for the cookie). Sessions that have
    outlived LOGIN_LIFETIME are deleted on the way (nothing can use them any more)."""
    session.execute(delete(LoginSession).where(LoginSession.created_at <= now() - LOGIN_LIFETIME))
    secret = secrets.token_urlsafe(32)
    row = LoginSession(secret_sha256=token_digest(secret), user_id=user.id, created_at=now())
    session.add(row)
    session.flush()
    return row, secret


def session_user(session: Session, secret: str) -> tuple[LoginSession, User] | None:
    """The open, unexpired login session with this secret and its enabled user, else None."""
    row = session.execute(select(LoginSession, User).join(User, LoginSession.user_id == User.id).where(
        LoginSession.secret_sha256 == token_digest(secret), *_open_session_conditions())).first()
    return (row[0], row[1]) if row else None


def end_session(session: Session, secret: str) -> bool:
    """End the login session with this secret (logout); returns whether an open one was ended."""
    ended = session.execute(update(LoginSession).where(
        LoginSession.secret_sha256 == token_digest(secret), LoginSession.ended_at.is_(None))
        .values(ended_at=now()).execution_options(synchronize_session=False))
    session.flush()
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def end_user_sessions(session: Session, user: User) -> int:
    """End every open login session of the user (when it is disabled: enabling it again later must not
    bring an old session back). Returns how many were ended."""
    ended = session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now()).execution_options(synchronize_session=False))
    session.flush()
    return int(ended.rowcount)  # type: ignore[attr-defined]


def valid_credentials(session: Session, credentials: Collection[Credential]) -> set[Credential]:
    """Those of these credentials that still authenticate, in one query: tokens not revoked, login
    sessions neither ended nor older than LOGIN_LIFETIME, and in both cases a user not disabled."""
    token_ids = sorted({c.id for c in credentials if c.kind == TOKEN})
    session_ids = sorted({c.id for c in credentials if c.kind == SESSION})
    parts: list[Select[str, int]] = []
    if token_ids:
        parts.append(select(literal_column(f"'{TOKEN}'", String), ApiToken.id)
                     .join(User, ApiToken.user_id == User.id)
                     .where(one_of(session, ApiToken.id, token_ids), ApiToken.revoked_at.is_(None),
                            User.disabled.is_(False)))
    if session_ids:
        parts.append(select(literal_column(f"'{SESSION}'", String), LoginSession.id)
                     .join(User, LoginSession.user_id == User.id)
                     .where(one_of(session, LoginSession.id, session_ids), *_open_session_conditions()))
    if not parts:
        return set()
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {Credential(kind, id_) for kind, id_ in session.execute(query)}


def _open_session_conditions() -> tuple[ColumnElement[bool], ...]:
    return (LoginSession.ended_at.is_(None), LoginSession.created_at > now() - LOGIN_LIFETIME,
            User.disabled.is_(False))
