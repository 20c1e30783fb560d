"""`clearance dlq replay` writes an audit-log entry (models.audit_log) for the letters the broker took, in
the transaction confirming them; skipped letters and dry runs write none. Real broker, both databases."""
from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry
from models.db import make_engine, session_factory
from tests.clearance.test_dlq import letters, run, write_dead_letters  # noqa: F401 - `run` is a fixture


def replay_entries(url: str) -> list[AuditEntry]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.kind == "dlq_replay")
                                        .order_by(AuditEntry.id)))
    finally:
        engine.dispose()


def test_replays_are_audited_once_per_confirmed_batch(database_url, make_settings, run) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings = make_settings(database_url)
    write_dead_letters(settings, letters())
    assert run(settings, "dlq", "replay", "0", "2", "--by", "ops-li")[0] == 0
    [entry] = replay_entries(database_url)
    assert (entry.actor, entry.outcome, entry.user_id, entry.token_id) == ("ops-li", "ok", None, None)
    assert entry.detail == {"dlq_topic": settings.dlq_topic, "events_topic": settings.events_topic, "again": False,
                            "letters": [f"{settings.dlq_topic}[0]@0", f"{settings.dlq_topic}[0]@2"]}
    assert entry.summary == f"replayed 2 dead letter(s) from {settings.dlq_topic} to {settings.events_topic}"

    assert run(settings, "dlq", "replay", "0", "--by", "ops-wang")[0] == 0  # skipped: already replayed
    assert run(settings, "dlq", "replay", "1", "--dry-run", "--by", "ops-wang")[0] == 0
    assert len(replay_entries(database_url)) == 1

    assert run(settings, "dlq", "replay", "0", "--again", "--by", "ops-wang")[0] == 0
    again = replay_entries(database_url)[-1]
    assert (again.actor, again.detail["again"], again.detail["letters"]) == (  # type: ignore[index]
        "ops-wang", True, [f"{settings.dlq_topic}[0]@0"])
    assert again.summary.endswith("(again)")
