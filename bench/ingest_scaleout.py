"""Ingest scale-out: 1, 2 and 4 workers of one consumer group on the same stream into PostgreSQL, each
worker a process of its own. Reported per worker count: events per second (all received, from the first
store to the last), and the share of the workers' database time spent waiting for another worker's
rebuild (the rebuild lock of models.operations) — the serialised fraction, which bounds what more
workers or machines can give (Amdahl).

    python bench/ingest_scaleout.py [--events 60000] [--workers 1 2 4] [--partitions 4] [--rounds 1]

Needs a broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one) and PostgreSQL at
BENCH_DATABASE_URL (default: the benchmark database, which it wipes before each run).
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_throughput import fill_topic, reset_postgres  # noqa: E402
from support import BENCH_DB  # noqa: E402

from clearance.config import PROJECT_ROOT, Settings, from_environ, ingest_settings  # noqa: E402
from ingest.runner import IngestWorker  # noqa: E402
from models.db import make_engine, session_factory  # noqa: E402
from tests.support.kafka import find_broker  # noqa: E402

IDLE_SECONDS = 4.0  # a worker that received nothing this long is done


def one_worker(settings: Settings, results: Any) -> None:
    """A worker process: run until idle, then report when it stored first and last, and its counts."""
    logging.getLogger("ingest").setLevel(logging.ERROR)  # the stream's bad messages, one line each
    engine = make_engine(settings.database_url)
    marks: dict[str, float] = {}

    def on_stored(_: object) -> None:
        marks.setdefault("first", time.time())
        marks["last"] = time.time()

    worker = IngestWorker(ingest_settings(settings), session_factory(engine), on_stored=on_stored)
    worker.run(max_idle=IDLE_SECONDS)
    engine.dispose()
    stats = worker.stats
    results.put({"first": marks.get("first"), "last": marks.get("last"), "received": stats.received,
                 "stored": stats.stored, "store_seconds": stats.store_seconds, "waited": stats.waited_seconds})


def run_group(settings: Settings, workers: int) -> dict[str, float]:
    reset_postgres(settings.database_url)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=one_worker, args=(settings, results)) for _ in range(workers)]
    for process in processes:
        process.start()
    reports = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    active = [r for r in reports if r["first"] is not None]
    wall = max(r["last"] for r in active) - min(r["first"] for r in active)
    received = sum(r["received"] for r in reports)
    store = sum(r["store_seconds"] for r in reports)
    return {"events_per_second": received / wall, "received": received, "stored": sum(r["stored"] for r in reports),
            "wait_share": sum(r["waited"] for r in reports) / store if store else 0.0, "wall": wall,
            "active": len(active)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    base = from_environ({})
    bootstrap, cleanup = find_broker(PROJECT_ROOT / "data" / "kafka-test", base.kafka_cache_dir)
    url = os.environ.get("BENCH_DATABASE_URL", BENCH_DB)
    topic = f"bench.{uuid.uuid4().hex[:8]}.events"
    fill_topic(bootstrap, topic, args.events, args.partitions)
    print(f"filled {topic} ({args.partitions} partitions) with {args.events:,} simulated messages; load "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    found: dict[int, list[dict[str, float]]] = {n: [] for n in args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(1, args.rounds + 1):
            for workers in args.workers:
                settings = Settings(data_dir=Path(tmp), database_url=url, kafka_bootstrap_servers=bootstrap,
                                    kafka_cache_dir=base.kafka_cache_dir, events_topic=topic,
                                    dlq_topic=f"{topic}.dlq", updates_topic=f"{topic}.updates",
                                    group_id=f"scale-{uuid.uuid4().hex[:8]}", batch_size=args.batch_size)
                result = run_group(settings, workers)
                found[workers].append(result)
                print(f"round {round_no}, {workers} worker(s) ({result['active']:.0f} stored): "
                      f"{result['events_per_second']:,.0f} events/s, {result['received']:,.0f} received in "
                      f"{result['wall']:.1f} s, waiting for another's rebuild {result['wait_share']:.1%} of "
                      f"database time", flush=True)
    one = statistics.median(r["events_per_second"] for r in found[args.workers[0]])
    print(f"\n{'workers':>7} {'events/s':>10} {'vs ' + str(args.workers[0]):>6} {'waiting':>8}")
    for workers, rounds in found.items():
        rate = statistics.median(r["events_per_second"] for r in rounds)
        print(f"{workers:>7} {rate:10,.0f} {rate / one:6.2f} {statistics.median(r['wait_share'] for r in rounds):8.1%}")
    cleanup()


if __name__ == "__main__":
    main()
