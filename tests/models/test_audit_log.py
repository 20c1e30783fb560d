"""Token scopes and the audit log (models.user, models.audit_log, migration 0012), on both databases: the
migration builds what the models describe and goes down and up again, tokens made before it keep both
scopes, entries are cleaned and filtered, and a rule change writes its entry in its own transaction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import AuditEntry
from models.access import principal_of
from models.alert_rules import AlertRule, RuleSettings, seed_default_rules, update_rule
from models.audit_log import DLQ_REPLAY, FAILED, LOGIN, RULE_EDIT, Actor, AuditQuery, page_of_entries, record
from models.db import downgrade, make_engine, upgrade
from tests.support.migrations import differences
from models.user import PUBLISH, READ, Role, UserError, create_user, issue_token, token_owner

TABLES = ("audit_log", "api_tokens")


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_the_migration_builds_what_the_models_describe(database_url: str) -> None:
    assert differences(database_url, TABLES) == []
    downgrade(database_url, "0011")
    kinds = {d[0] if not isinstance(d, list) else d[0][0] for d in differences(database_url, TABLES)}
    assert {"add_table", "add_column"} <= kinds  # the comparison does see both changes
    upgrade(database_url)
    assert differences(database_url, TABLES) == []


def test_tokens_made_before_0012_keep_both_scopes(database_url: str) -> None:
    downgrade(database_url, "0011")
    engine = make_engine(database_url)
    try:
        assert "audit_log" not in inspect(engine).get_table_names()
        assert "scopes" not in {c["name"] for c in inspect(engine).get_columns("api_tokens")}
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO users (id, name, role, disabled, created_at) "
                                    "VALUES (1, 'old-po', 'port-office', false, '2026-11-01 00:00:00')"))
            connection.execute(text("INSERT INTO api_tokens (user_id, token_sha256, created_at) "
                                    "VALUES (1, 'ab12', '2026-11-01 00:00:00')"))
        upgrade(database_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT scopes FROM api_tokens")).scalar_one() == "read publish"
        assert "audit_log" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_scopes_are_stored_in_one_order_and_checked(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        user = create_user(session, "ytct-gate", Role.TERMINAL, terminal="YTCT")
        both, _ = issue_token(session, user, "gate")
        _, publish_only = issue_token(session, user, "feeder", [PUBLISH])
        mixed, _ = issue_token(session, user, None, [PUBLISH, READ, PUBLISH])
        assert (both.scopes, mixed.scopes) == ("read publish", "read publish")
        owner = token_owner(session, publish_only)
        assert owner is not None and owner[0].scope_set == {PUBLISH} and owner[1].name == "ytct-gate"
        for bad in ([], ["write"]):
            with pytest.raises(UserError, match="scopes are read and publish"):
                issue_token(session, user, None, bad)
        session.commit()
    with sessions() as session:  # the database refuses what the model would not write
        with pytest.raises(IntegrityError, match="ck_api_tokens_scopes"):
            session.execute(text("UPDATE api_tokens SET scopes = 'admin' WHERE id = :id"), {"id": both.id})


def test_entries_are_cleaned_filtered_and_paged(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        record(session, LOGIN, Actor("po\x07" + "x" * 80, address="10.0.0.9"), "failed login", outcome=FAILED)
        for n in range(3):
            record(session, DLQ_REPLAY, Actor("ops-li"), f"replayed {n}", {"letters": [f"dlq[0]@{n}"]})
        with pytest.raises(ValueError, match="unknown audit kind"):
            record(session, "coffee", Actor("ops-li"), "no")
        session.commit()
    with sessions() as session:
        rows, total = page_of_entries(session, AuditQuery(), 1, 2)
        assert total == 4 and [r.summary for r in rows] == ["replayed 2", "replayed 1"]
        rows, total = page_of_entries(session, AuditQuery(kind=LOGIN), 1, 10)
        assert total == 1 and rows[0].actor.startswith("po\\u0007x") and len(rows[0].actor) == 64
        assert rows[0].address == "10.0.0.9" and rows[0].outcome == FAILED
        assert page_of_entries(session, AuditQuery(actor="ops-li"), 2, 2)[0][0].summary == "replayed 0"
        later = datetime.now(timezone.utc) + timedelta(minutes=1)
        assert page_of_entries(session, AuditQuery(since=later), 1, 10) == ([], 0)


def test_a_rule_change_writes_its_entry_in_its_transaction(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        editor = principal_of(create_user(session, "po", Role.PORT_OFFICE))
        seed_default_rules(session, datetime.now(timezone.utc))  # the PostgreSQL fixture empties every table
        rule = session.scalars(select(AlertRule).where(AlertRule.step == "REPOSITION")).first()
        assert rule is not None
        rule_id, before = rule.id, (rule.warning_seconds, rule.alarm_seconds)
        session.commit()
    with sessions() as session:
        update_rule(session, rule_id, RuleSettings(600, 1800, 99.0, True), editor, datetime.now(timezone.utc))
        session.rollback()  # the change did not happen: neither did its entry
        assert session.scalars(select(AuditEntry)).all() == []
        update_rule(session, rule_id, RuleSettings(600, 1800, 99.0, True), editor, datetime.now(timezone.utc))
        session.commit()
    with sessions() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.kind, entry.actor, entry.user_id) == (RULE_EDIT, "po", editor.user_id)
        assert entry.detail is not None and entry.detail["rule_id"] == rule_id
        assert entry.detail["changed"] == {"warning_seconds": [before[0], 600], "alarm_seconds": [before[1], 1800]}
        assert entry.summary == f"update rule {rule_id} REPOSITION (port-wide, size any): warning_seconds, alarm_seconds"
