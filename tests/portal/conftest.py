"""Portal fixtures: the app on a real database and the test broker, a client, users of every role with
API tokens, and a small stored world (tests/portal/world.py)."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from clearance.config import Settings, portal_config
from models.access import Principal, principal_of
from models.db import make_engine, session_factory
from models.operations import store_events
from models.user import Role, create_user, issue_token, revoke_token, set_disabled
from portal import create_app
from portal.events.publisher import close_publisher
from tests.portal.world import USCC_A, USCC_B, USCC_BROKER, world_events

SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery"

Sessions = sessionmaker[Session]
MakeApp = Callable[..., Flask]


@dataclass(frozen=True)
class Person:
    name: str
    token: str
    principal: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


# name -> (role, uscc, terminal)
PEOPLE = {
    "enterprise_a": (Role.ENTERPRISE, USCC_A, None),
    "enterprise_b": (Role.ENTERPRISE, USCC_B, None),
    "broker": (Role.ENTERPRISE, USCC_BROKER, None),
    "terminal_ytct": (Role.TERMINAL, None, "YTCT"),
    "terminal_ytgd": (Role.TERMINAL, None, "YTGD"),
    "port_office": (Role.PORT_OFFICE, None, None),
    "revoked": (Role.PORT_OFFICE, None, None),  # its token is revoked
    "disabled": (Role.PORT_OFFICE, None, None),  # the user is disabled
}


@pytest.fixture
def portal_settings(database_url: str, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[MakeApp]:
    """Build portal apps (several may share a database, as portal processes do); closed after the test.
    The change feed is off: these tests are about HTTP."""
    made: list[Flask] = []

    def build(settings: Settings, **config: Any) -> Flask:
        made.append(create_app(portal_config(settings, SECRET, testing=True, static_dir=tmp_path / "static",
                                            live_feed=False, **config)))
        return made[-1]
    yield build
    for app in made:
        app.extensions["clearance_revocation"].stop()
        close_publisher(app)
        app.extensions["clearance_engine"].dispose()


@pytest.fixture
def app(make_app: MakeApp, portal_settings: Settings) -> Flask:
    return make_app(portal_settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(database_url: str) -> Iterator[Sessions]:
    """A session factory on the test database (commit what you want the app to see)."""
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


@functools.cache
def password_hash() -> str:
    """PASSWORD's hash, made once: scrypt is slow on purpose (~0.1 s), and most tests need a user."""
    return generate_password_hash(PASSWORD)


@pytest.fixture
def people(db: Sessions) -> dict[str, Person]:
    """One user of each role (and a revoked token, a disabled user), each with an API token. Only
    port_office has a password, PASSWORD."""
    return make_people(db)


def make_people(db: Sessions) -> dict[str, Person]:
    """Store the people of PEOPLE."""
    found: dict[str, Person] = {}
    with db() as session:
        for name, (role, uscc, terminal) in PEOPLE.items():
            user = create_user(session, name, role, uscc=uscc, terminal=terminal)
            if name == "port_office":
                user.password_hash = password_hash()
            row, token = issue_token(session, user, "test")
            found[name] = Person(name, token, principal_of(user))
            if name == "revoked":
                revoke_token(session, row.id)
        set_disabled(session, "disabled", True)
        session.commit()
    return found


@pytest.fixture
def world(db: Sessions) -> None:
    """Store the world's events as ingest would."""
    store_world(db)


def store_world(db: Sessions) -> None:
    with db() as session:
        store_events(session, world_events())
        session.commit()
