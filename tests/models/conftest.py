"""Fixtures of the storage tests that play several sessions on PostgreSQL at once."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from models.db import make_engine
from tests.conftest import truncate


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on the emptied test PostgreSQL database."""
    truncate(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()
