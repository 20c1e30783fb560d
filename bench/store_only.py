"""Decode and store simulated events in-process, without Kafka: the part of an ingest worker's work that
is ours alone, timed in its two halves. For A/B runs of storage changes (one after the other, same
machine); the worker as a whole is measured by bench/ingest_throughput.py.

    python bench/store_only.py [--events 20000] [--batch-size 2000] [--runs 3] [--no-cache]

Wipes and migrates the database at --database-url (default: the benchmark database, clearance_bench).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from clearance.simulate import SimConfig, generate  # noqa: E402
from events.codec import ClearanceEvent, InvalidEvent, decode  # noqa: E402
from models.db import make_engine, session_factory, upgrade  # noqa: E402
from models.operations import store_events  # noqa: E402
from models.reach import ReachCache  # noqa: E402
from support import BENCH_DB  # noqa: E402


def one_run(url: str, values: list[bytes], batch_size: int, cache_size: int) -> tuple[float, float, int]:
    """Seconds to decode all values, seconds to store the valid ones, and how many were valid."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    events: list[ClearanceEvent] = []
    for value in values:
        try:
            events.append(decode(value))
        except InvalidEvent:
            pass
    decoded = time.perf_counter()
    cache = ReachCache(cache_size)
    for start in range(0, len(events), batch_size):
        with sessions() as session:
            store_events(session, events[start:start + batch_size], cache)
            session.commit()
    stored = time.perf_counter()
    engine.dispose()
    return decoded - started, stored - decoded, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-cache", action="store_true", help="store without the reach cache")
    parser.add_argument("--database-url", default=BENCH_DB)
    args = parser.parse_args()
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    values = [m.value for m in generate(SimConfig(seed=42, count=args.events, start=start))]
    results = []
    for run in range(args.runs):
        decode_s, store_s, valid = one_run(args.database_url, values, args.batch_size, 0 if args.no_cache else 20_000)
        results.append((decode_s, store_s))
        print(f"run {run + 1}: decode {decode_s:.2f} s, store {store_s:.2f} s ({valid:,} valid events), "
              f"{args.events / (decode_s + store_s):,.0f} messages/s")
    print(f"median: decode {statistics.median(r[0] for r in results):.2f} s, "
          f"store {statistics.median(r[1] for r in results):.2f} s")


if __name__ == "__main__":
    main()
