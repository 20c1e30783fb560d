"""Sending dead letters through the normal path again: the original key, bytes and headers (so who
published it stays who published it) to the events topic, where the workers check them as they check
everything; one still invalid comes back to the dead-letter topic. Each replay is recorded."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clearance.dlq.letters import DeadLetterRecord
from events import topics
from models.audit_log import DLQ_REPLAY, Actor, record
from models.dead_letter_replays import (DeadLetterReplay, ReplayRequest, claim_replays, confirm_replay, replays_of,
                                        withdraw_claims)

log = logging.getLogger(__name__)
CHUNK = 200  # letters claimed, sent and confirmed together


def replay_headers(letter: DeadLetterRecord, dlq_topic: str) -> list[tuple[str, bytes]]:
    """The letter's original headers in their order (without the dead-letter topic's own and any older
    replay mark), then the mark of this replay: `clearance-replay-of: <topic>[<partition>]@<offset>`."""
    kept = [(name, value) for name, value in letter.headers
            if not name.startswith(topics.DLQ_HEADER_PREFIX) and name != topics.REPLAY_OF_HEADER]
    return kept + [(topics.REPLAY_OF_HEADER, replay_mark(dlq_topic, letter).encode())]


def replay_mark(dlq_topic: str, letter: DeadLetterRecord) -> str:
    return f"{dlq_topic}[{letter.partition}]@{letter.offset}"


def already_replayed(history: dict[tuple[int, int], list[DeadLetterReplay]],
                     letter: DeadLetterRecord) -> DeadLetterReplay | None:
    """The letter's last confirmed replay, if it has one."""
    confirmed = [row for row in history.get(letter.position, []) if row.confirmed]
    return confirmed[-1] if confirmed else None


@dataclass
class ReplayOutcome:
    total: int = 0  # letters asked for
    replayed: list[tuple[DeadLetterRecord, DeadLetterReplay]] = field(default_factory=list)
    skipped: list[tuple[DeadLetterRecord, DeadLetterReplay]] = field(default_factory=list)  # with its last replay

    def line(self) -> str:
        done = len(self.replayed) + len(self.skipped)
        return (f"{done:,} of {self.total:,} done: replayed {len(self.replayed):,}, "
                f"skipped {len(self.skipped):,} already replayed")


@dataclass(frozen=True)
class ReplayTarget:
    dlq_topic: str
    events_topic: str
    by: str  # the operator, as recorded
    again: bool = False  # replay letters already replayed too


def replay_letters(letters: Sequence[DeadLetterRecord], target: ReplayTarget, sessions: sessionmaker[Session],
                   producer: KafkaProducer,
                   progress: Callable[[ReplayOutcome], None] | None = None,
                   outcome: ReplayOutcome | None = None) -> ReplayOutcome:
    """Replay each letter not replayed yet (all of them with `target.again`), CHUNK at a time: claim
    (committed), send and wait for the broker, confirm (committed). Raises KafkaError when the broker
    does not take a chunk, after withdrawing that chunk's claims; what came before stays replayed (and
    is in `outcome`, when one is given to fill)."""
    outcome = outcome or ReplayOutcome()
    outcome.total = len(letters)
    for start in range(0, len(letters), CHUNK):
        chunk = letters[start:start + CHUNK]
        with sessions() as session:
            claims = _claim(session, chunk, target, outcome)
            _send(session, producer, target, claims, outcome)
        if progress:
            progress(outcome)
    return outcome


def _claim(session: Session, chunk: Sequence[DeadLetterRecord], target: ReplayTarget,
           outcome: ReplayOutcome) -> list[tuple[DeadLetterRecord, DeadLetterReplay]]:
    for tries_left in (1, 0):
        history = replays_of(session, target.dlq_topic, [letter.position for letter in chunk])
        skipped = [(letter, last) for letter in chunk
                   if (last := already_replayed(history, letter)) is not None and not target.again]
        skipping = {letter.position for letter, _ in skipped}
        todo = [letter for letter in chunk if letter.position not in skipping]
        requests = [ReplayRequest(letter.partition, letter.offset, letter.reason, letter.key_text() or None)
                    for letter in todo]
        try:
            claims = claim_replays(session, target.dlq_topic, target.events_topic, requests, target.by,
                                   again=target.again)
            session.commit()
        except IntegrityError:  # another operator claimed some of them meanwhile: look again, once
            session.rollback()
            if not tries_left:
                raise
            continue
        outcome.skipped += skipped
        return list(zip(todo, claims))
    raise AssertionError("unreachable")


def _send(session: Session, producer: KafkaProducer, target: ReplayTarget,
          claims: list[tuple[DeadLetterRecord, DeadLetterReplay]], outcome: ReplayOutcome) -> None:
    """Send the chunk, confirm each letter the broker took, withdraw the claims of the others and commit;
    then raise the first refusal, if any."""
    refusal: Exception | None = None
    try:
        sent = [(letter, claim, _send_one(producer, target, letter)) for letter, claim in claims]
        producer.flush()
        for letter, claim, future in sent:
            try:
                metadata = future.get(timeout=30)
            except KafkaError as exc:
                refusal = refusal or exc
                continue
            confirm_replay(session, claim, metadata.partition, metadata.offset)
            outcome.replayed.append((letter, claim))
            log.debug("replayed %s to %s[%s]@%s", replay_mark(target.dlq_topic, letter), target.events_topic,
                      metadata.partition, metadata.offset)
    finally:
        withdraw_claims(session, [claim for _, claim in claims])  # those still unconfirmed
        _audit(session, target, [(letter, claim) for letter, claim in claims if claim.confirmed])
        session.commit()
    if refusal is not None:
        raise refusal


def _audit(session: Session, target: ReplayTarget, replayed: list[tuple[DeadLetterRecord, DeadLetterReplay]]) -> None:
    """One audit-log entry for the letters of a chunk the broker took, in the transaction confirming them."""
    if replayed:
        marks = [replay_mark(target.dlq_topic, letter) for letter, _ in replayed]
        record(session, DLQ_REPLAY, Actor(target.by), f"replayed {len(marks)} dead letter(s) from {target.dlq_topic} "
               f"to {target.events_topic}" + (" (again)" if target.again else ""),
               {"dlq_topic": target.dlq_topic, "events_topic": target.events_topic, "again": target.again,
                "letters": marks})


def _send_one(producer: KafkaProducer, target: ReplayTarget, letter: DeadLetterRecord) -> FutureRecordMetadata:
    return producer.send(target.events_topic, key=letter.key, value=letter.value or b"",
                         headers=replay_headers(letter, target.dlq_topic))
