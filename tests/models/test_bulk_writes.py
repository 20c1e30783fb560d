"""The bulk write shapes (models.dialect): a few rows go as executemany, many on PostgreSQL through COPY
(models.pg_copy). Both store the same values and follow the same conflict rules, on both databases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import StoredEvent
from models.dialect import COPY_MIN_ROWS, insert_ignore, upsert
from models.event import DeclarationContainer
from models.operations import KEY_COLUMNS

MOMENT = datetime(2026, 11, 20, 8, tzinfo=UTC)
SIZES = [3, COPY_MIN_ROWS + 5]  # below and above the COPY threshold


def event_row(i: int, version: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "source": "TERMINAL", "event_id": f"e-{i}", "version": version, "type": "GATE_IN",
        "occurred_at": MOMENT + timedelta(minutes=i), "updated_at": None, "classifier": "ACTUAL",
        "direction": "EXPORT", "publisher": "YTCT", "container_no": "CICU3789922", "containers": None,
        "declaration_no": None, "bl_no": None, "vessel_imo": None, "voyage": None, "terminal": "YTCT",
        "port": "CNYNT", "enterprise_uscc": None, "declarant_uscc": None, "customs_code": None, "retracts": None,
        "detail": {"seal_no": f"运抵-{i}", "big": 10**30} if i % 2 else None, "warnings": ["w"] if i % 3 else None,
    }
    row.update(changes)
    return row


def stored(sessions: sessionmaker[Session]) -> dict[str, tuple[object, ...]]:
    with sessions() as session:
        return {e.event_id: (e.version, e.occurred_at, e.detail, e.warnings, e.terminal)
                for e in session.scalars(select(StoredEvent))}


@pytest.mark.parametrize("count", SIZES)
def test_upsert_keeps_the_newer_version_whichever_path(sessions: sessionmaker[Session], count: int) -> None:
    with sessions() as session:
        upsert(session, StoredEvent.__table__, [event_row(i, "2") for i in range(count)], KEY_COLUMNS,
               "version")
        session.commit()
    with sessions() as session:  # an older version of every other event, a newer one of the rest
        rows = [event_row(i, "1" if i % 2 else "3", terminal="OLD" if i % 2 else "NEW") for i in range(count)]
        upsert(session, StoredEvent.__table__, rows, KEY_COLUMNS, "version")
        session.commit()
    found = stored(sessions)
    assert len(found) == count
    for i in range(count):
        version, occurred_at, detail, warnings, terminal = found[f"e-{i}"]
        assert (version, terminal) == (("2", "YTCT") if i % 2 else ("3", "NEW"))
        assert occurred_at == MOMENT + timedelta(minutes=i)
        assert detail == event_row(i, "")["detail"] and warnings == event_row(i, "")["warnings"]


@pytest.mark.parametrize("count", SIZES)
def test_insert_ignore_leaves_existing_rows(sessions: sessionmaker[Session], count: int) -> None:
    table = DeclarationContainer.__table__
    rows = [{"declaration_no": f"42012026000000{i:04d}", "container_no": "CICU3789922"} for i in range(count)]
    for _ in range(2):
        with sessions() as session:
            insert_ignore(session, table, rows, ("declaration_no", "container_no"))
            session.commit()
    with sessions() as session:
        assert sorted(session.scalars(select(DeclarationContainer.declaration_no))) == \
            sorted(r["declaration_no"] for r in rows)
