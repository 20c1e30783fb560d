"""Migrations 0002 (users, tokens, failed logins) and 0004 (login sessions) go down and up again on both
databases."""
from __future__ import annotations

from sqlalchemy import inspect

from models.db import downgrade, make_engine, upgrade

PORTAL_TABLES = {"users", "api_tokens", "login_failures"}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_0001_and_back(database_url: str) -> None:
    assert PORTAL_TABLES <= tables(database_url)
    downgrade(database_url, "0001")
    remaining = tables(database_url)
    assert not PORTAL_TABLES & remaining and {"events", "container_visits"} <= remaining
    upgrade(database_url)
    assert PORTAL_TABLES <= tables(database_url)


def test_login_sessions_downgrade_to_0003_and_back(database_url: str) -> None:
    assert "login_sessions" in tables(database_url)
    downgrade(database_url, "0003")
    remaining = tables(database_url)
    assert "login_sessions" not in remaining and PORTAL_TABLES <= remaining
    upgrade(database_url)
    assert "login_sessions" in tables(database_url)
