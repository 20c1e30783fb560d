"""The record of dead-letter replays (models.dead_letter_replays, migration 0011), on both databases:
the migration builds the table the model describes and goes down and up again; claims, confirmations,
skips, further attempts and withdrawn claims."""
from __future__ import annotations


import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import DeadLetterReplay
from models.db import downgrade, make_engine, upgrade
from tests.support.migrations import differences
from models.dead_letter_replays import ReplayRequest, claim_replays, confirm_replay, replays_of, withdraw_claims

TABLE = "dead_letter_replays"
DLQ, EVENTS = "clearance.events.dlq", "clearance.events"


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_the_migration_builds_the_table_the_model_describes(database_url: str) -> None:
    assert differences(database_url, (TABLE,)) == []
    downgrade(database_url, "0010")
    assert [d[0] for d in differences(database_url, (TABLE,))] == ["add_table"]  # the comparison does see our table
    upgrade(database_url)


def test_downgrade_to_0010_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        downgrade(database_url, "0010")
        assert TABLE not in set(inspect(engine).get_table_names())
        upgrade(database_url)
        assert TABLE in set(inspect(engine).get_table_names())
        uniques = inspect(engine).get_unique_constraints(TABLE)
        assert [u["column_names"] for u in uniques] == [["dlq_topic", "dlq_partition", "dlq_offset", "attempt"]]
    finally:
        engine.dispose()


def requests(*offsets: int) -> list[ReplayRequest]:
    return [ReplayRequest(0, offset, f"reason {offset}", f"KEY{offset}") for offset in offsets]


def test_claim_confirm_skip_and_again(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        first = claim_replays(session, DLQ, EVENTS, requests(3, 5), "ops-li")
        confirm_replay(session, first[0], 2, 40)
        confirm_replay(session, first[1], 1, 41)
        session.commit()
    with sessions() as session:
        assert claim_replays(session, DLQ, EVENTS, requests(3, 5), "ops-li") == []  # already replayed
        [again] = claim_replays(session, DLQ, EVENTS, requests(3), "ops-wang", again=True)
        assert again.attempt == 2
        session.commit()
    with sessions() as session:
        history = replays_of(session, DLQ)
        assert sorted(history) == [(0, 3), (0, 5)]
        assert [(r.attempt, r.requested_by, r.confirmed) for r in history[(0, 3)]] == \
            [(1, "ops-li", True), (2, "ops-wang", False)]
        assert (history[(0, 5)][0].events_partition, history[(0, 5)][0].events_offset) == (1, 41)
        assert history[(0, 5)][0].reason == "reason 5" and history[(0, 5)][0].message_key == "KEY5"
        assert replays_of(session, DLQ, [(0, 5), (0, 9)]).keys() == {(0, 5)}
        assert replays_of(session, "another.dlq") == {}


def test_an_unconfirmed_claim_is_taken_over_and_a_withdrawn_one_is_gone(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        [stale] = claim_replays(session, DLQ, EVENTS, requests(7), "ops-li")  # never confirmed: a crash
        session.commit()
    with sessions() as session:
        [taken] = claim_replays(session, DLQ, EVENTS, requests(7), "ops-wang")
        assert (taken.id, taken.attempt, taken.requested_by) == (stale.id, 1, "ops-wang")
        withdraw_claims(session, [taken])
        session.commit()
    with sessions() as session:
        assert session.scalars(select(DeadLetterReplay)).all() == []


def test_two_first_replays_of_one_letter_cannot_both_be_recorded(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        claim_replays(session, DLQ, EVENTS, requests(11), "ops-li")
        session.commit()
    with sessions() as session:  # what a second operator who read the history just before would write
        session.add(DeadLetterReplay(dlq_topic=DLQ, dlq_partition=0, dlq_offset=11, attempt=1, reason="r",
                                     requested_at=replays_of(session, DLQ)[(0, 11)][0].requested_at,
                                     requested_by="ops-wang", events_topic=EVENTS))
        with pytest.raises(IntegrityError):
            session.flush()
