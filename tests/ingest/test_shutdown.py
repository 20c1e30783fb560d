"""ingest.shutdown: a SIGTERM arms the exit deadline when it is delivered, even while the main thread
is held in C code that puts the signal's Python handler off (here a long SQLite query)."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

from ingest.shutdown import exit_deadline_on_stop
from tests.support.pipeline import wait_until

BLOCKED = textwrap.dedent("""
    import signal, sqlite3, sys
    from contextlib import nullcontext
    from ingest.shutdown import exit_deadline_on_stop

    def handled(*_):
        print("handler ran", flush=True)
    signal.signal(signal.SIGTERM, handled)
    guard = exit_deadline_on_stop(seconds=1.0) if sys.argv[1] == "armed" else nullcontext()
    with guard:
        print("querying", flush=True)
        sqlite3.connect(":memory:").execute(
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000000) "
            "select count(*) from n").fetchall()
    print("query ended", flush=True)
""")


def blocked_worker(mode: str) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", BLOCKED, mode], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "querying\n"
    time.sleep(0.3)
    return process


def test_a_sigterm_ends_the_process_by_the_deadline_while_the_main_thread_is_held() -> None:
    process = blocked_worker("armed")
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    took = time.monotonic() - asked
    assert process.returncode == 0
    assert "query ended" not in out and "handler ran" not in out, "the main thread was never released"
    assert 0.9 <= took <= 3.0, f"exited {took:.1f}s after the signal"


def test_without_the_guard_the_same_signal_waits_for_the_main_thread() -> None:
    """The case the guard is for: the Python handler alone would not run until the query ends."""
    process = blocked_worker("bare")
    try:
        process.send_signal(signal.SIGTERM)
        time.sleep(4)
        assert process.poll() is None, "the process ended without the guard"
    finally:
        process.kill()
        process.communicate(timeout=30)


def test_another_signal_arms_nothing_and_the_watcher_leaves_with_the_guard() -> None:
    previous = signal.signal(signal.SIGUSR1, lambda *_: None)
    try:
        with exit_deadline_on_stop(seconds=0.5):
            assert any(t.name == "exit-deadline" for t in threading.enumerate())
            signal.raise_signal(signal.SIGUSR1)  # not a stop signal: nothing armed
        wait_until(lambda: not any(t.name == "exit-deadline" for t in threading.enumerate()), 5, "watcher gone")
        time.sleep(0.8)  # had SIGUSR1 armed the deadline, the test process would have exited by now
        assert signal.set_wakeup_fd(-1) == -1, "the previous wakeup descriptor was not restored"
    finally:
        signal.signal(signal.SIGUSR1, previous)
