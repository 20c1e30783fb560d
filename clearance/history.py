"""The demo's stream: one seeded simulation that ends `live_days` after now, so that everything dated
before now (the history: thirty days by default) is published at once and the rest as its moments come.

One stream rather than a history and a separate live stream: the containers of the last days of the
history go on clearing live, and the stage durations are the same throughout, so that the dashboard's
figures stay true (a stream at `--speed 60` would divide every clearance time by 60).
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from clearance.config import Settings
from clearance.monitor import PipelineMonitor
from clearance.progress import ProgressLine
from clearance.simulate import SimConfig, SimMessage, generate
from events.kafka import make_producer

# Messages (extras and malformed ones included) a simulated day of the port, at speed 1: measured on
# seeds 1, 3, 7 and 42 (1,300-1,380 a day once the stream is under way).
MESSAGES_PER_DAY = 1_350
# A stream's first days are thin (manifests and declarations of its first vessel calls only), about as
# many messages as this many full days: planned before the history, so the history itself is full.
# Without a history this lead-in is still dated before now (published at once).
RAMP_DAYS = 1.5
BAR_WIDTH = 24


def demo_stream(now: datetime, seed: int, history_days: float, live_days: float,
                speed: float = 1.0) -> SimConfig:
    """The simulation `clearance run` publishes: about `history_days` of events dated before `now`,
    `live_days` after it (wall-clock days; `speed` divides the stage durations)."""
    if history_days < 0 or live_days < 0:
        raise ValueError("history_days and live_days must not be negative")
    days = history_days + live_days + RAMP_DAYS / speed
    end = now.astimezone(UTC).replace(microsecond=0) + timedelta(days=live_days)
    return SimConfig(seed=seed, count=math.ceil(MESSAGES_PER_DAY * speed * days), start=end, speed=float(speed))


def simulate_args(config: SimConfig, skip: int, rate: float) -> list[str]:
    """`clearance simulate` arguments that make exactly `config`'s stream (the same event ids: its tag is
    the configuration's repr) from message `skip` on, following the clock."""
    return ["--quiet", "--follow", "--skip", str(skip), "--count", str(config.count), "--seed", str(config.seed),
            "--speed", str(float(config.speed)), "--malformed-share", str(config.malformed_share),
            "--rate", str(rate), "--start", config.start.isoformat()]


def due_at(value: bytes) -> float | None:
    """When a message may be published (epoch seconds): its `updated_at`, else its `occurred_at`. None
    for a message that carries neither in a readable form (most malformed ones): it is not held back."""
    try:
        event = json.loads(value)
        moment = event.get("updated_at") or event.get("occurred_at")
        return datetime.fromisoformat(moment).timestamp() if isinstance(moment, str) else None
    except (ValueError, TypeError, AttributeError):
        return None


@dataclass
class HistoryProgress:
    """What the history phase has done, as a progress bar line for ProgressLine."""

    since: float  # epoch seconds: where the bar starts (the history's first day)
    until: float  # epoch seconds: now, where it ends
    published: int = 0
    reached: float | None = None  # the newest moment published so far
    stored: int | None = None
    lag: int | None = None
    started: float = field(default_factory=time.monotonic)

    def fraction(self) -> float:
        if self.reached is None:
            return 0.0
        return min(1.0, max(0.0, (self.reached - self.since) / max(self.until - self.since, 1.0)))

    def line(self) -> str:
        done = round(self.fraction() * BAR_WIDTH)
        bar = "█" * done + "░" * (BAR_WIDTH - done)
        day = "" if self.reached is None else \
            f" to {datetime.fromtimestamp(self.reached, UTC) + timedelta(hours=8):%Y-%m-%d %H:%M} UTC+8"
        rate = self.published / max(time.monotonic() - self.started, 1e-9)
        stored = "" if self.stored is None else f" · stored {self.stored:,} events · lag {_count(self.lag)}"
        return f"{bar} {self.fraction():4.0%} · published {self.published:,} ({rate:,.0f}/s){day}{stored}"


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def publish_due(messages: Iterator[SimMessage], send: Callable[[SimMessage], None], progress: HistoryProgress,
                show: Callable[[], None], rate: float = 0.0, clock: Callable[[], float] = time.time) -> int:
    """Send the messages already due (their moment at or before `clock()`), in stream order, until the
    first that is not; returns how many were sent (`clearance simulate --skip` takes it from there).
    `rate` caps messages per second (0: none); `show` is called every 200 messages."""
    started = time.monotonic()
    for message in messages:
        moment = due_at(message.value) if message.valid else None
        if moment is not None and moment > clock():
            break
        send(message)
        progress.published += 1
        if moment is not None:
            progress.reached = moment if progress.reached is None else max(progress.reached, moment)
        if rate > 0:
            ahead = progress.published / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        if progress.published % 200 == 0:
            show()
    return progress.published


def publish_history(settings: Settings, config: SimConfig, since: datetime, monitor: PipelineMonitor,
                    line: ProgressLine, rate: float = 0.0, store_timeout: float = 600.0) -> int:
    """Publish what of `config`'s stream is due now, showing a progress bar, then wait (at most
    `store_timeout` seconds) until the ingest workers stored it all. Returns how many messages were sent."""
    progress = HistoryProgress(since.timestamp(), time.time())
    producer = make_producer(settings.kafka_bootstrap_servers, linger_ms=20,
                             max_in_flight_requests_per_connection=5)
    shown = [0.0]

    def show() -> None:  # the database and the broker are asked at most once a second
        if time.monotonic() - shown[0] >= 1.0:
            shown[0] = time.monotonic()
            progress.stored, progress.lag = monitor.stored_and_lag()
        line.show(progress)

    try:
        sent = publish_due(generate(config), lambda m: producer.send(settings.events_topic, key=m.key,
                                                                    value=m.value), progress, show, rate)
        producer.flush()
    finally:
        producer.close()
    deadline = time.monotonic() + store_timeout
    while progress.lag != 0 and time.monotonic() < deadline:
        time.sleep(1.0)
        shown[0] = 0.0
        show()
    return sent
