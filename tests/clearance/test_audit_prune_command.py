"""`clearance audit prune` on both databases: the retention from CLEARANCE_AUDIT_RETENTION_DAYS or
--older-than, a dry run that deletes nothing, 0 keeping every entry, and output with counts only; and
`clearance alerts --once`, which prunes what is due as the watcher does."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from clearance.commands import operator_name
from models.audit_log import LOGIN, Actor, record
from tests.clearance.test_cli import clearance
from tests.conftest import settings_env
from tests.models.test_audit_retention import ages_kept, entries_aged, prunes_recorded


def test_prune_by_the_setting_by_the_option_and_dry(sessions: sessionmaker[Session], database_url: str,
                                                    make_settings) -> None:  # type: ignore[no-untyped-def]
    entries_aged(sessions, [1, 10, 45, 401, 800], now=datetime.now(timezone.utc))
    env = settings_env(make_settings(database_url))
    dry = clearance(env | {"CLEARANCE_AUDIT_RETENTION_DAYS": "30"}, "audit", "prune", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "3 entries older than 30 days" in dry.stdout and "would be deleted (dry run)" in dry.stdout
    assert ages_kept(sessions) == [1, 10, 45, 401, 800]
    assert prunes_recorded(sessions) == []  # a dry run records nothing
    default = clearance(env, "audit", "prune", "--by", "ops-wang")  # CLEARANCE_AUDIT_RETENTION_DAYS unset: 400
    assert default.returncode == 0 and "2 entries older than 400 days" in default.stdout
    assert ages_kept(sessions) == [1, 10, 45]
    chosen = clearance(env | {"CLEARANCE_AUDIT_RETENTION_DAYS": "0"}, "audit", "prune", "--older-than", "7.5")
    assert chosen.returncode == 0 and "2 entries older than 7.5 days" in chosen.stdout and "deleted" in chosen.stdout
    assert ages_kept(sessions) == [1]
    assert prunes_recorded(sessions) == [("ops-wang", 2), (operator_name(), 2)]  # by default, the login name


def test_a_retention_of_zero_prunes_nothing_and_says_so(sessions: sessionmaker[Session], database_url: str,
                                                         make_settings) -> None:  # type: ignore[no-untyped-def]
    entries_aged(sessions, [1, 5000], now=datetime.now(timezone.utc))
    env = settings_env(make_settings(database_url)) | {"CLEARANCE_AUDIT_RETENTION_DAYS": "0"}
    done = clearance(env, "audit", "prune")
    assert done.returncode == 0 and "kept forever" in done.stderr
    assert ages_kept(sessions) == [1, 5000]
    refused = clearance(env, "audit", "prune", "--older-than", "0")
    assert refused.returncode == 2 and "must be a positive number of days" in refused.stderr


def test_the_output_tells_nothing_of_the_entries(sessions: sessionmaker[Session], database_url: str,
                                                  make_settings) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        record(session, LOGIN, Actor("secret-name-tried", address="10.9.8.7"), "failed login", outcome="failed")
        session.commit()
    env = settings_env(make_settings(database_url))
    done = clearance(env, "audit", "prune", "--older-than", "0.000001")
    assert done.returncode == 0 and "1 entries older than" in done.stdout
    assert "secret-name-tried" not in done.stdout + done.stderr and "10.9.8.7" not in done.stdout + done.stderr
    assert ages_kept(sessions) == []


def test_clearance_alerts_once_prunes_what_is_due(sessions: sessionmaker[Session], database_url: str,
                                                  make_settings) -> None:  # type: ignore[no-untyped-def]
    entries_aged(sessions, [2, 90, 120], now=datetime.now(timezone.utc))
    env = settings_env(make_settings(database_url)) | {"CLEARANCE_AUDIT_RETENTION_DAYS": "60"}
    done = clearance(env, "alerts", "--once")
    assert done.returncode == 0, done.stderr
    assert "audit log: 2 entries older than 60 days deleted" in done.stdout
    assert ages_kept(sessions) == [2]
    assert prunes_recorded(sessions) == [("overdue watcher", 2)]
