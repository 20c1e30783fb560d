"""`clearance ingest`: one worker of the ingest consumer group."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kafka.errors import KafkaError

from clearance.config import Settings, ingest_settings, pipeline_topics
from clearance.progress import ProgressLine
from events.kafka import ensure_topics
from ingest.runner import IngestWorker
from ingest.triage import DeadLetterRunTooLong
from models.db import make_engine, session_factory

T = TypeVar("T")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "ingest", help="run one ingest worker (consumes CLEARANCE_EVENTS_TOPIC into DATABASE_URL)",
        description="Consume clearance events, store them exactly once in effect, dead-letter invalid "
                    "ones. Several workers with the same CLEARANCE_GROUP_ID share the partitions. "
                    "SIGTERM finishes the batch, commits and exits 0.")
    parser.add_argument("--max-idle", type=float, default=None, metavar="SECONDS",
                        help="exit after this many seconds without a message (default: run until stopped)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(handler=_ingest)


def _stopped_before_joining(*_: Any) -> None:
    """SIGTERM while the topics are made and the clients connect (which block while no broker answers):
    nothing is consumed yet, so exit at once. The worker's own handler replaces this one."""
    print("clearance ingest: stopped before joining the group", file=sys.stderr)
    raise SystemExit(0)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    signal.signal(signal.SIGTERM, _stopped_before_joining)
    signal.signal(signal.SIGINT, _stopped_before_joining)
    _until_a_broker_answers(lambda: ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings)))
    engine = make_engine(settings.database_url)
    progress = None if args.quiet else ProgressLine("ingest")
    worker = _until_a_broker_answers(lambda: IngestWorker(ingest_settings(settings), session_factory(engine),
                                                          report=progress.show if progress else None))
    try:
        worker.run(max_idle=args.max_idle)
    except DeadLetterRunTooLong as exc:
        print(f"\nclearance ingest: stopped: {exc}", file=sys.stderr)
        return 3
    finally:
        if progress:
            progress.close()
        engine.dispose()
    return 0


def _until_a_broker_answers(action: Callable[[], T]) -> T:
    """A worker started while no broker answers (the cluster restarting) waits for one, as a running
    worker does, instead of exiting with kafka-python's bootstrap timeout."""
    delay = 0.5
    while True:
        try:
            return action()
        except KafkaError as exc:
            print(f"clearance ingest: no broker answers ({type(exc).__name__}); trying again in {delay:.0f}s",
                  file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
