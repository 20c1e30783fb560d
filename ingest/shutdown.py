"""A SIGTERM ends a worker within a few seconds in every state. The worker stops at its next step and
finishes or abandons its batch; but a call into kafka-python can block far longer than that while no
broker answers (a commit waits for a coordinator, a send for metadata). So the signal also arms a
deadline: past it the process exits at once, the open batch uncommitted. That is a kill -9 in effect,
which loses nothing: everything uncommitted is read again and storing it again changes nothing."""
from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)
EXIT_DEADLINE = 4.0  # seconds after SIGTERM; orchestrators wait 10-30 s, the target is 5


def arm_exit_deadline(seconds: float = EXIT_DEADLINE) -> threading.Timer:
    """Exit the process `seconds` from now unless it has ended by then."""
    def give_up() -> None:
        log.warning("could not finish within %.0fs of the stop (the broker or the database is away); "
                    "exiting, the open batch uncommitted", seconds)
        logging.shutdown()
        os._exit(0)
    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
    return timer
