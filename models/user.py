"""Portal users, their API tokens and failed logins.

A user is an enterprise (bound to a USCC), a terminal operator (bound to a terminal code) or the port
office. API tokens are random and stored only as their SHA-256; passwords as werkzeug hashes (scrypt).
A token has scopes (`SCOPES`): `read` for requests that change nothing, `publish` for publishing events;
tokens made before scopes existed have both (migration 0012). Functions take a Session first, flush, and
never commit.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, UTCDateTime


class Role(str, enum.Enum):
    ENTERPRISE = "enterprise"  # exporter, importer or customs broker: sees what names its USCC
    TERMINAL = "terminal"  # terminal operator: sees the visits at its terminal
    PORT_OFFICE = "port-office"  # sees everything, may publish anything


READ, PUBLISH = "read", "publish"
SCOPES = (READ, PUBLISH)  # in this order when stored: "read", "publish" or "read publish"


class UserError(ValueError):
    """A user or token operation cannot be done (duplicate name, unknown user, bad binding)."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    uscc: Mapped[str | None] = mapped_column(String(18))
    terminal: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("role IN ('enterprise', 'terminal', 'port-office')", name="role"),
        CheckConstraint("(role = 'enterprise') = (uscc IS NOT NULL)", name="uscc_for_enterprise"),
        CheckConstraint("(role = 'terminal') = (terminal IS NOT NULL)", name="terminal_for_terminal"),
    )


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(String(16), server_default=" ".join(SCOPES))

    __table_args__ = (CheckConstraint("scopes IN ('read', 'publish', 'read publish')", name="scopes"),)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class LoginFailure(Base):
    """One failed browser login for a name (known or not), kept in the database so that every portal
    process counts the same failures."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (Index("ix_login_failures_name_failed_at", "name", "failed_at"),)


def now() -> datetime:
    return datetime.now(timezone.utc)


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored: the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, name: str, role: Role, *, uscc: str | None = None,
                terminal: str | None = None, password: str | None = None) -> User:
    """Add a user. An enterprise needs a USCC, a terminal operator a terminal code, the port office
    neither. Without a password the user can only use API tokens. Raises UserError."""
    problem = binding_problem(role, uscc, terminal)
    if problem:
        raise UserError(problem)
    if find_user(session, name) is not None:
        raise UserError(f"user {name!r} exists already")
    user = User(name=name, role=role.value, uscc=uscc, terminal=terminal, disabled=False, created_at=now(),
                password_hash=generate_password_hash(password) if password else None)
    session.add(user)
    session.flush()
    return user


def binding_problem(role: Role, uscc: str | None, terminal: str | None) -> str | None:
    """What is wrong with binding a user of this role to this USCC and terminal, if anything."""
    if role is Role.ENTERPRISE and (not uscc or terminal):
        return "an enterprise user needs --uscc (and no --terminal)"
    if role is Role.TERMINAL and (not terminal or uscc):
        return "a terminal operator needs --terminal (and no --uscc)"
    if role is Role.PORT_OFFICE and (uscc or terminal):
        return "a port-office user takes neither --uscc nor --terminal"
    return None


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def set_disabled(session: Session, name: str, disabled: bool) -> User:
    """Disable (or enable again) a user: a disabled user's tokens and sessions stop working at once."""
    user = find_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    user.disabled = disabled
    session.flush()
    return user


# Checked when the name is unknown, so that unknown and known names take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def check_login(session: Session, name: str, password: str) -> User | None:
    """The enabled user with this name and password, else None."""
    user = find_user(session, name)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled:
        return None
    return user


def scopes_text(scopes: Iterable[str]) -> str:
    """Scopes as stored ("read publish", in SCOPES order). Raises UserError for none or an unknown one."""
    wanted = set(scopes)
    unknown = sorted(wanted - set(SCOPES))
    if unknown or not wanted:
        raise UserError(f"scopes are {' and '.join(SCOPES)} (at least one); not {', '.join(unknown) or 'none'}")
    return " ".join(scope for scope in SCOPES if scope in wanted)


def issue_token(session: Session, user: User, label: str | None = None,
                scopes: Iterable[str] = SCOPES) -> tuple[ApiToken, str]:
    """A new API token for the user, with these scopes (both by default): (stored row, the token text,
    to be shown once). Raises UserError for bad scopes."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_sha256=token_digest(token), label=label, created_at=now(),
                   scopes=scopes_text(scopes))
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token by id (revoking twice keeps the first time). Raises UserError when unknown."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise UserError(f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now()
        session.flush()
    return row


def list_tokens(session: Session, name: str | None = None) -> list[tuple[ApiToken, User]]:
    query = select(ApiToken, User).join(User, ApiToken.user_id == User.id).order_by(ApiToken.id)
    if name is not None:
        query = query.where(User.name == name)
    return [(token, user) for token, user in session.execute(query)]


def token_owner(session: Session, token: str) -> tuple[ApiToken, User] | None:
    """(the token's row, its enabled user) for an unrevoked token, else None."""
    row = session.execute(select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(
        ApiToken.token_sha256 == token_digest(token), ApiToken.revoked_at.is_(None),
        User.disabled.is_(False))).first()
    return (row[0], row[1]) if row else None


def login_retry_after(session: Session, name: str, limit: int, window: timedelta) -> int:
    """Seconds until `name` may try to log in again: 0 while fewer than `limit` failures fall in the
    last `window`, else until the oldest of the latest `limit` failures leaves it."""
    since = now() - window
    recent = list(session.scalars(select(LoginFailure.failed_at).where(
        LoginFailure.name == name, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc()).limit(limit)))
    if len(recent) < limit:
        return 0
    return max(1, int((recent[-1] + window - now()).total_seconds()) + 1)


def record_login_failure(session: Session, name: str, window: timedelta) -> None:
    """Count one failed login for the name, and forget failures older than the window."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now() - window))
    session.add(LoginFailure(name=name, failed_at=now()))
    session.flush()


def clear_login_failures(session: Session, name: str) -> None:
    """A successful login starts the count again."""
    session.execute(delete(LoginFailure).where(LoginFailure.name == name))
    session.flush()


def count_active_tokens(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0
