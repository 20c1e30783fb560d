"""The replays recorded for the dead-letter topic, read from the database (models.dead_letter_replays)."""
from __future__ import annotations

from collections.abc import Iterable

from clearance.config import Settings
from clearance.dlq.letters import Position
from models.db import make_engine, session_factory
from models.dead_letter_replays import DeadLetterReplay, replays_of


def load_history(settings: Settings,
                 positions: Iterable[Position] | None = None) -> dict[Position, list[DeadLetterReplay]]:
    """{position: its replays, oldest first} on CLEARANCE_DLQ_TOPIC (every letter's when `positions` is
    None); letters never replayed are left out."""
    engine = make_engine(settings.database_url, serialize_writers=False)
    try:
        with session_factory(engine)() as session:
            return replays_of(session, settings.dlq_topic, positions)
    finally:
        engine.dispose()
