"""A database seeded once per module, for modules whose tests only read what was stored.

Storing a world and rolling its figures (tests/portal/stats_world.keep) takes a second or more on
PostgreSQL; done for each of a module's hundred-odd tests it was most of the suite's time. A module
whose tests change nothing instead defines a module-scoped fixture `seeded`, parametrized with
`seeded_params` and made by `seed_database`, and imports `seeded_database_url` and `seeded_people`:
they stand in for the function-scoped `database_url` and `people`, so `db`, `app` and `client` work on
the seeded database as everywhere else. A test in such a module must not write."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.db import make_engine, session_factory
from tests.conftest import fresh_sqlite, truncate
from tests.portal.conftest import Person, Sessions, make_people

DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Seeded:
    url: str
    people: dict[str, Person]


def seeded_params(keeping: list[str] | None = None) -> list[Any]:
    """One database per kind and way of keeping figures (None: figures read live), with ids like the
    function fixtures' ones."""
    if keeping is None:
        return [pytest.param((kind, "live"), id=kind) for kind in DATABASES]
    return [pytest.param((kind, how), id=f"{how}-{kind}") for kind in DATABASES for how in keeping]


def seed_database(request: pytest.FixtureRequest, seed: Callable[[Sessions, str], None]) -> Seeded:
    """An empty migrated database of request.param's kind, with the people of PEOPLE, then `seed`
    called with its sessions and the way of keeping figures."""
    kind, how = request.param
    if kind == "sqlite":
        directory = request.getfixturevalue("tmp_path_factory").mktemp("seeded")
        url = fresh_sqlite(request.getfixturevalue("migrated_sqlite"), directory)
    else:
        url = request.getfixturevalue("postgres_url")
        truncate(url)
    engine = make_engine(url)
    try:
        sessions = session_factory(engine)
        people = make_people(sessions)
        seed(sessions, how)
    finally:
        engine.dispose()
    return Seeded(url, people)


@pytest.fixture(name="database_url")
def seeded_database_url(seeded: Seeded) -> str:
    return seeded.url


@pytest.fixture(name="people")
def seeded_people(seeded: Seeded) -> dict[str, Person]:
    return seeded.people
