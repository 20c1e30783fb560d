"""A SIGTERM ends a worker within a few seconds in every state. The worker stops at its next step and
finishes or abandons its batch; but a call into kafka-python can block far longer than that while no
broker answers (a commit waits for a coordinator, a send for metadata). So the signal also arms a
deadline: past it the process exits at once, the open batch uncommitted. That is a kill -9 in effect,
which loses nothing: everything uncommitted is read again and storing it again changes nothing.

The deadline is armed by a thread of its own the moment the signal is delivered (Python's signal
wakeup descriptor), not by the signal's Python handler: that handler runs only when the main thread
next runs Python code, which a call blocked in C (a driver retrying its system call) can put off."""
from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)
EXIT_DEADLINE = 3.5  # seconds after SIGTERM; orchestrators wait 10-30 s, the target is 5
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})


def arm_exit_deadline(seconds: float = EXIT_DEADLINE) -> threading.Timer:
    """Exit the process `seconds` from now unless it has ended by then."""
    def give_up() -> None:
        log.warning("could not finish within %.1fs of the stop (the broker or the database is away); "
                    "exiting, the open batch uncommitted", seconds)
        logging.shutdown()
        os._exit(0)
    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
    return timer


@contextmanager
def exit_deadline_on_stop(seconds: float = EXIT_DEADLINE) -> Iterator[None]:
    """While inside, the first SIGTERM or SIGINT delivered arms the exit deadline at once. Call from
    the main thread, after installing Python handlers for those signals (without one, a signal is
    not written to the wakeup descriptor)."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(target=_arm_on_stop_signal, args=(read_end, seconds), daemon=True,
                               name="exit-deadline")
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        os.close(write_end)  # the watcher reads the end of the pipe and returns, unless it armed


def _arm_on_stop_signal(read_end: int, seconds: float) -> None:
    try:
        while received := os.read(read_end, 64):
            if STOP_SIGNALS.intersection(received):
                arm_exit_deadline(seconds)
                return
    finally:
        os.close(read_end)
