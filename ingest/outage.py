"""Waiting out a database that does not answer, for as long as it takes.

A PostgreSQL restart or failover commonly takes longer than a minute. A worker that gave up after a few
retries stopped, and `clearance run` stopped everything with it. Now the open batch is retried with
backoff (at most RETRY_CAP seconds between attempts, so the worker resumes within seconds of the
database's return) while the worker stays in its consumer group: its partitions are paused and the
consumer polled, which keeps it within `max.poll.interval.ms` and lets rebalances happen. No offset is
committed for what is not stored. A SIGTERM during the wait ends it within a second: the open batch is
left uncommitted, to be read again by whoever owns the partitions next.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kafka.errors import KafkaError

from ingest.rebalances import finish_stranded_join

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # then RETRY_CAP, for as long as the database is away
RETRY_CAP = 5.0
STEP = 0.5  # seconds between looks at SIGTERM, the group and the status line while waiting


def first_line(exc: BaseException) -> str:
    """The first line of an error's text, at most 300 characters (a driver's message runs to pages)."""
    return (str(exc).strip().splitlines() or ["?"])[0][:300]


class StopRequested(Exception):
    """SIGTERM while waiting for the database: the open batch is left uncommitted."""


class Outage:
    """One stretch of database errors of a worker: how long it has lasted, when to try again."""

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.attempts = 0

    def next_delay(self) -> float:
        delay = RETRY_DELAYS[self.attempts] if self.attempts < len(RETRY_DELAYS) else RETRY_CAP
        self.attempts += 1
        return delay

    def seconds(self) -> float:
        return time.monotonic() - self.since


def wait_in_group(consumer: Any, seconds: float, stopping: Callable[[], bool], keep: Callable[[list[Any]], None],
                  tick: Callable[[], None]) -> None:
    """Sleep `seconds` with every assigned partition paused, polling the consumer so that it stays in
    its group (records of partitions assigned meanwhile go to `keep`); call `tick` every STEP. Raises
    StopRequested as soon as `stopping()` says so."""
    deadline = time.monotonic() + seconds
    while True:
        if stopping():
            raise StopRequested()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        consumer.pause(*consumer.assignment())
        polled = consumer.poll(timeout_ms=int(min(STEP, left) * 1000))
        finish_stranded_join(consumer)
        keep([r for batch in polled.values() for r in batch])
        tick()


def resume(consumer: Any) -> None:
    """Fetch again from every paused partition (after the database answered)."""
    paused = consumer.paused()
    if paused:
        consumer.resume(*paused)


def until_the_broker_takes(action: Callable[[], T], stopping: Callable[[], bool]) -> T:
    """Run `action` until the broker takes it, however long it is away, with the same backoff as the
    database's; raises StopRequested as soon as `stopping()` says so meanwhile."""
    outage = Outage()
    while True:
        try:
            return action()
        except KafkaError as exc:
            delay = outage.next_delay()
            log.warning("broker unreachable for %.0fs (%s; attempt %s, retrying in %ss)", outage.seconds(),
                        type(exc).__name__, outage.attempts, delay)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline:
                if stopping():
                    raise StopRequested() from exc
                time.sleep(0.2)
