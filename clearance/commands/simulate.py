"""`clearance simulate`: publish a realistic, seeded stream of Yantai clearance events."""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice

from kafka import KafkaProducer

from clearance.config import Settings, pipeline_topics
from clearance.history import due_at
from clearance.progress import ProgressLine
from clearance.simulate import SimConfig, SimMessage, generate
from events.kafka import ensure_topics, make_producer


@dataclass
class SimStats:
    sent: int = 0
    malformed: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        rate = self.sent / max(time.monotonic() - self.started, 1e-9)
        return f"published {self.sent:,} ({rate:,.0f} msg/s) · malformed {self.malformed:,}"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "simulate", help="publish simulated clearance events to CLEARANCE_EVENTS_TOPIC",
        description="Export and import containers through Yantai terminals with declarations, "
                    "inspections, holds, vessel calls, out-of-order and duplicate delivery, corrections, "
                    "retractions and a share of malformed messages. Same seed and start, same stream.")
    parser.add_argument("--count", type=int, default=10_000, help="messages to publish (default 10000)")
    parser.add_argument("--rate", type=float, default=200.0,
                        help="messages per second; 0 = as fast as possible (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="stage durations are divided by this factor (default 1)")
    parser.add_argument("--malformed-share", type=float, default=0.01,
                        help="share of deliberately malformed messages (default 0.01)")
    parser.add_argument("--start", type=_aware, default=None,
                        help="the moment the stream's history ends at, RFC 3339: no event happens after it "
                             "(default: now, rounded to the minute; later than now with --follow)")
    parser.add_argument("--follow", action="store_true",
                        help="publish each message no earlier than the moment it carries (updated_at, else "
                             "occurred_at): what is due goes at --rate, the rest as its moments come")
    parser.add_argument("--skip", type=int, default=0, metavar="N",
                        help="leave out the stream's first N messages (published already)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(handler=_simulate)


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a UTC offset, e.g. 2026-11-20T08:00:00+08:00")
    return moment


def sim_config(args: argparse.Namespace) -> SimConfig:
    start = args.start or datetime.now(timezone.utc).replace(second=0, microsecond=0)
    return SimConfig(seed=args.seed, count=args.count, start=start, speed=args.speed,
                     malformed_share=args.malformed_share)


def _wait_until_due(message: SimMessage, producer: KafkaProducer) -> None:
    """Sleep until the message's moment (history.due_at) has come; what waits is sent first."""
    moment = due_at(message.value) if message.valid else None
    if moment is not None and moment > time.time():
        producer.flush()
        time.sleep(max(0.0, moment - time.time()))


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    producer = make_producer(settings.kafka_bootstrap_servers, linger_ms=20,
                             max_in_flight_requests_per_connection=5)
    progress = None if args.quiet else ProgressLine("simulate")
    stats = SimStats()
    try:
        for message in islice(generate(sim_config(args)), args.skip, None):
            if args.follow:
                _wait_until_due(message, producer)
            producer.send(settings.events_topic, key=message.key, value=message.value)
            stats.sent += 1
            stats.malformed += not message.valid
            if args.rate > 0:
                ahead = stats.sent / args.rate - (time.monotonic() - stats.started)
                if ahead > 0:
                    time.sleep(ahead)
            if progress and stats.sent % 100 == 0:
                progress.show(stats)
        producer.flush()
    finally:
        producer.close()
        if progress:
            progress.show(stats)
            progress.close()
    print(f"published {stats.sent:,} messages ({stats.malformed:,} malformed) to {settings.events_topic}")
    return 0
