"""How long a crashed worker's partitions stand still, and how long a SIGTERM takes in the rejoin after it.

Two `clearance ingest` processes share 4 partitions while events arrive at --rate. One is killed with
-9 (not restarted): the pause is the time from the kill until every partition's committed offset has
passed where the partition's end was at the kill, i.e. until the survivor took over the dead one's
partitions and caught up. The dead worker is then started again and, --sigterm-after seconds later (while
the group rebalances), sent SIGTERM: the time to its exit is the second figure. Each session timeout
(CLEARANCE_SESSION_SECONDS) is measured in the same run, alternated, --crashes times.

    python bench/failover_pause.py [--sessions 45 10] [--crashes 3] [--rate 200]

Needs a broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one) and PostgreSQL at
BENCH_DATABASE_URL (default: the benchmark database, which it wipes).
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_throughput import reset_postgres  # noqa: E402
from processes import Stack  # noqa: E402
from support import BENCH_DB  # noqa: E402

from clearance.config import PROJECT_ROOT, from_environ  # noqa: E402
from clearance.simulate import SimConfig, generate  # noqa: E402
from events.kafka import make_producer  # noqa: E402
from tests.support.kafka import find_broker  # noqa: E402
from tests.support.pipeline import committed, end_offsets  # noqa: E402


def publish(bootstrap: str, topic: str, rate: float, stop: threading.Event) -> None:
    producer = make_producer(bootstrap, linger_ms=5)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for i, message in enumerate(generate(SimConfig(seed=11, count=200_000, start=start))):
        if stop.is_set():
            break
        producer.send(topic, key=message.key, value=message.value)
        if i % 20 == 0:
            time.sleep(20 / rate)
    producer.flush()
    producer.close()


def caught_up(stack: Stack, group: str, marks: dict[int, int], timeout: float) -> float | None:
    """Seconds until every partition's committed offset reached its mark (None: not within timeout)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        done = committed(stack.bootstrap, group, stack.events_topic)
        if all(done.get(p, 0) >= mark for p, mark in marks.items()):
            return time.monotonic() - began
        time.sleep(0.2)
    return None


def one_crash(stack: Stack, session: float, sigterm_after: float) -> tuple[float | None, float]:
    group = f"bench-{stack.tag}"
    extra = {"CLEARANCE_SESSION_SECONDS": str(session)}
    workers = [stack.start(f"w{i}-{session}", ["-m", "clearance.cli", "ingest", "--quiet"], **extra)
               for i in range(2)]
    while sum(end_offsets(stack.bootstrap, stack.events_topic).values()) < 1000:  # events are flowing
        time.sleep(0.5)
    time.sleep(session / 3 + 5)  # both in the group
    caught_up(stack, group, end_offsets(stack.bootstrap, stack.events_topic), 120)  # and caught up
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait()
    pause = caught_up(stack, group, end_offsets(stack.bootstrap, stack.events_topic), session * 4 + 60)
    restarted = stack.start(f"w0b-{session}", ["-m", "clearance.cli", "ingest", "--quiet"], **extra)
    time.sleep(sigterm_after)
    asked = time.monotonic()
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=120)
    exit_seconds = time.monotonic() - asked
    workers[1].send_signal(signal.SIGTERM)
    workers[1].wait(timeout=120)
    return pause, exit_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=float, nargs="+", default=[45.0, 10.0])
    parser.add_argument("--crashes", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--sigterm-after", type=float, default=6.0,
                        help="seconds from the restart to the SIGTERM (start-up takes a few)")
    args = parser.parse_args()
    bootstrap, cleanup = find_broker(PROJECT_ROOT / "data" / "kafka-test", from_environ({}).kafka_cache_dir)
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DB)
    reset_postgres(url)
    results: dict[float, list[tuple[float | None, float]]] = {s: [] for s in args.sessions}
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(bootstrap, url, Path(workdir))
        stack.topics()
        publisher = threading.Thread(target=publish, args=(bootstrap, stack.events_topic, args.rate, stop))
        publisher.start()
        try:
            for crash in range(args.crashes):
                for session in args.sessions:
                    results[session].append(one_crash(stack, session, args.sigterm_after))
                    print(f"crash {crash + 1}, session {session:g} s: pause {results[session][-1][0]}, "
                          f"SIGTERM in the rejoin {results[session][-1][1]:.1f} s", flush=True)
        finally:
            stop.set()
            publisher.join()
            stack.stop()
    cleanup()
    print(f"\n{'session':>8} {'pause median':>13} {'pause max':>10} {'SIGTERM median':>15} {'SIGTERM max':>12}")
    for session, rows in results.items():
        pauses = [p if p is not None else float("inf") for p, _ in rows]
        exits = [e for _, e in rows]
        print(f"{session:>7g}s {statistics.median(pauses):>12.1f}s {max(pauses):>9.1f}s "
              f"{statistics.median(exits):>14.1f}s {max(exits):>11.1f}s")


if __name__ == "__main__":
    main()
