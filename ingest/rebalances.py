"""What a worker's consumer is told of its group's rebalances."""
from __future__ import annotations

import logging
import time
from typing import Any

from kafka.consumer.subscription_state import ConsumerRebalanceListener

log = logging.getLogger("ingest.runner")


class Rebalances(ConsumerRebalanceListener):
    """kafka-python 3 calls this on its IO thread, where nothing may block (a commit there raises and
    leaves the group stuck). Records of revoked partitions are dropped at the next flush instead: their
    new owner reads them again from the last committed offset, and storing is idempotent. It notes
    when a rejoin started, for the watchdog in `IngestWorker`, and whether the worker is in the group
    with its partitions (`joined`, for /readyz)."""

    def __init__(self) -> None:
        self.rejoining_since: float | None = None
        self.joined = False

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.rejoining_since = time.monotonic()
        self.joined = False
        log.info("revoked %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.rejoining_since = None
        self.joined = True
        log.info("assigned %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))
