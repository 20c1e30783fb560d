"""The record of dead letters sent to the events topic again (`clearance dlq replay`): one row per replay
of one dead letter, named by its position on the dead-letter topic.

A replay is claimed (a row without an events-topic position) and committed before it is published, so
that two operators replaying the same letter cannot both record a first replay (the unique attempt
number), then confirmed with where it landed. A claim never confirmed (the replaying process died, or the
broker refused it) is not a replay: the next replay of that letter takes the row over.

Functions take a Session first, flush, and never commit.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.user import now


class DeadLetterReplay(Base):
    __tablename__ = "dead_letter_replays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dlq_topic: Mapped[str] = mapped_column(String(249))  # Kafka's longest topic name
    dlq_partition: Mapped[int] = mapped_column(Integer)
    dlq_offset: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)  # 1 for the first replay, 2… for each one asked --again
    reason: Mapped[str] = mapped_column(Text)  # why it was dead-lettered (the topic may drop it one day)
    message_key: Mapped[str | None] = mapped_column(String(128))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(64))  # the operator (login name or --by)
    events_topic: Mapped[str] = mapped_column(String(249))
    events_partition: Mapped[int | None] = mapped_column(Integer)  # None until the broker holds it
    events_offset: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("dlq_topic", "dlq_partition", "dlq_offset", "attempt",
                                       name="uq_dead_letter_replays_position_attempt"),)

    @property
    def confirmed(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class ReplayRequest:
    """One dead letter to replay: its position, and what the record keeps of it."""

    partition: int
    offset: int
    reason: str
    message_key: str | None


Position = tuple[int, int]  # (partition, offset) on the dead-letter topic


def replays_of(session: Session, dlq_topic: str,
               positions: Iterable[Position] | None = None) -> dict[Position, list[DeadLetterReplay]]:
    """{(partition, offset): its replays, oldest first} for the letters of `dlq_topic` (all of them when
    `positions` is None); letters never replayed are left out. Unconfirmed claims are included."""
    query = select(DeadLetterReplay).where(DeadLetterReplay.dlq_topic == dlq_topic)
    wanted = None if positions is None else set(positions)
    if wanted is not None and len(wanted) <= 500:
        query = query.where(tuple_(DeadLetterReplay.dlq_partition, DeadLetterReplay.dlq_offset).in_(sorted(wanted)))
    found: dict[Position, list[DeadLetterReplay]] = {}
    for row in session.scalars(query.order_by(DeadLetterReplay.attempt)):
        position = (row.dlq_partition, row.dlq_offset)
        if wanted is None or position in wanted:
            found.setdefault(position, []).append(row)
    return found


def claim_replays(session: Session, dlq_topic: str, events_topic: str, requests: Sequence[ReplayRequest],
                  by: str, again: bool = False) -> list[DeadLetterReplay]:
    """Claim a replay of each request; returns the claims, in the order of `requests`. A letter already
    replayed (a confirmed row) is skipped unless `again`; an unconfirmed claim is taken over (its time
    and operator renewed). Commit before publishing: the unique attempt number makes a concurrent claim
    of the same first replay fail (IntegrityError) instead of recording it twice."""
    existing = replays_of(session, dlq_topic, [(r.partition, r.offset) for r in requests])
    claims = []
    for request in requests:
        rows = existing.get((request.partition, request.offset), [])
        if rows and not rows[-1].confirmed:
            claim = rows[-1]
            claim.requested_at, claim.requested_by, claim.events_topic = now(), by[:64], events_topic
        elif rows and not again:
            continue
        else:
            claim = DeadLetterReplay(
                dlq_topic=dlq_topic, dlq_partition=request.partition, dlq_offset=request.offset,
                attempt=len(rows) + 1, reason=request.reason, message_key=_cut(request.message_key, 128),
                requested_at=now(), requested_by=by[:64], events_topic=events_topic)
            session.add(claim)
        claims.append(claim)
    session.flush()
    return claims


def confirm_replay(session: Session, claim: DeadLetterReplay, partition: int, offset: int) -> None:
    """Record where the broker stored the replayed message: the claim becomes a replay."""
    claim.events_partition, claim.events_offset, claim.published_at = partition, offset, now()
    session.flush()


def withdraw_claims(session: Session, claims: Iterable[DeadLetterReplay]) -> None:
    """Remove claims whose message the broker did not take (nothing was replayed)."""
    for claim in claims:
        if not claim.confirmed:
            session.delete(claim)
    session.flush()


def _cut(text: str | None, size: int) -> str | None:
    return None if text is None else text[:size]
