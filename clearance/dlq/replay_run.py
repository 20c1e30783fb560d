"""One `clearance dlq replay`: the letters chosen (by offset or by filters), a dry run or the replay with
its progress, and what became of each letter."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kafka.errors import KafkaError

from clearance.config import Settings
from clearance.dlq import render
from clearance.dlq.history import load_history
from clearance.dlq.letters import DeadLetterRecord, LetterFilter, Position, label
from clearance.dlq.reader import DeadLetterTopic
from clearance.dlq.replay import CHUNK, ReplayOutcome, ReplayTarget, already_replayed, replay_letters
from clearance.progress import ProgressLine
from events.kafka import ensure_topics, make_producer
from models.db import make_engine, session_factory

LISTED = 20  # letters named one by one in the report; the rest are counted


def replay(args: argparse.Namespace, settings: Settings, wanted: LetterFilter, positions: Sequence[Position],
           by: str) -> int:
    letters = chosen(settings, wanted, positions)
    if not letters:
        print(f"no dead letter on {settings.dlq_topic} matches: nothing to replay")
        return 0
    cut = [letter for letter in letters if letter.cut_from is not None]
    if cut:
        print(f"not replaying {len(cut):,} cut when dead-lettered (too large for the topic; the original is not "
              f"kept): {_labels(cut)}")
        letters = [letter for letter in letters if letter.cut_from is None]
        if not letters:
            return 0
    target = ReplayTarget(settings.dlq_topic, settings.events_topic, by, again=args.again)
    if args.dry_run:
        return dry_run(letters, load_history(settings, [letter.position for letter in letters]), target)
    ensure_topics(settings.kafka_bootstrap_servers, {settings.events_topic: settings.events_partitions})
    engine = make_engine(settings.database_url)
    producer = make_producer(settings.kafka_bootstrap_servers, client_id="clearance-dlq-replay")
    line = ProgressLine("dlq replay") if len(letters) > CHUNK else None
    outcome = ReplayOutcome()
    try:
        replay_letters(letters, target, session_factory(engine), producer, line.show if line else None, outcome)
    except KafkaError:
        print(f"clearance dlq replay: stopped after {outcome.line()} (those are recorded)", file=sys.stderr)
        raise
    finally:
        if line:
            line.close()
        producer.close()
        engine.dispose()
    print("\n".join(report(outcome, target)))
    return 0


def chosen(settings: Settings, wanted: LetterFilter, positions: Sequence[Position]) -> list[DeadLetterRecord]:
    """The letters at `positions` (MissingLetters when one is not there), or else every letter the
    filters pick; in offset order."""
    with DeadLetterTopic(settings.kafka_bootstrap_servers, settings.dlq_topic) as dlq:
        if positions:
            found = dlq.fetch(positions)
            return [found[position] for position in sorted(found)]
        return [letter for letter in dlq.scan(wanted.since) if wanted.matches(letter)]


def dry_run(letters: Sequence[DeadLetterRecord], history: render.History, target: ReplayTarget) -> int:
    todo = [letter for letter in letters if target.again or already_replayed(history, letter) is None]
    print(f"dry run: would replay {len(todo):,} of {len(letters):,} chosen to {target.events_topic}"
          f"{':' if todo else ''}")
    if todo:
        print("\n".join(render.table(todo, history)))
    sending = {letter.position for letter in todo}
    skipped = [letter for letter in letters if letter.position not in sending]
    if skipped:
        print(f"would skip {len(skipped):,} already replayed (--again sends them once more): "
              + _labels(skipped))
    print("nothing sent, nothing recorded")
    return 0


def report(outcome: ReplayOutcome, target: ReplayTarget) -> list[str]:
    lines = [f"replayed {label(letter.position)} -> {target.events_topic}[{claim.events_partition}]"
             f"@{claim.events_offset}" for letter, claim in outcome.replayed[:LISTED]]
    if len(outcome.replayed) > LISTED:
        lines.append(f"… and {len(outcome.replayed) - LISTED:,} more")
    lines += [f"skipped {label(letter.position)}: already replayed {render.utc(last.published_at)} by "
              f"{last.requested_by} -> {last.events_topic}[{last.events_partition}]@{last.events_offset}"
              for letter, last in outcome.skipped[:LISTED]]
    if len(outcome.skipped) > LISTED:
        lines.append(f"… and {len(outcome.skipped) - LISTED:,} more skipped")
    again = " (--again sends those once more)" if outcome.skipped else ""
    lines.append(f"{len(outcome.replayed):,} replayed to {target.events_topic}, "
                 f"{len(outcome.skipped):,} skipped as already replayed{again}")
    return lines


def _labels(letters: Sequence[DeadLetterRecord]) -> str:
    shown = ", ".join(label(letter.position) for letter in letters[:LISTED])
    return shown + (f" and {len(letters) - LISTED:,} more" if len(letters) > LISTED else "")
