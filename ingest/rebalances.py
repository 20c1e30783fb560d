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
        self.assignments = 0  # how many have been made (ingest.fair_draw draws in turn after each)

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.rejoining_since = time.monotonic()
        self.joined = False
        log.info("revoked %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.rejoining_since = None
        self.joined = True
        self.assignments += 1
        log.info("assigned %s", sorted(f"{tp.topic}[{tp.partition}]" for tp in assigned))


def finish_stranded_join(consumer: Any) -> bool:
    """Work around a kafka-python 3.0.12 hang; call after every poll. When the group leader's own
    metadata change starts a rejoin (partitions added, or a first assignment made before the topic's
    metadata arrived), no "rejoin needed" flag is set. A poll whose timeout ends before JoinGroup and
    SyncGroup are done leaves the join running in the background. Once it completes, the metadata
    matches the assignment again and the next poll takes the member for joined: the assignment is
    never taken, the heartbeat never restarts, nothing is fetched until the broker expels the member.
    Only in that state (a rejoin begun, its join done, no rejoin asked for), ask for one: the next
    poll joins again and takes the assignment. True when it did."""
    coordinator: Any = getattr(consumer, "_coordinator", None)
    task = getattr(coordinator, "_join_task", None)
    if not (getattr(coordinator, "rejoining", False) and task is not None and task.is_done):
        return False
    if coordinator.rejoin_needed:
        return False  # kafka-python joins again by itself
    log.info("finishing a group join left unfinished by a poll's timeout")
    coordinator.request_rejoin()
    return True
