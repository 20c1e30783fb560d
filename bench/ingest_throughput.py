"""How many events per second one ingest worker stores, into PostgreSQL and into SQLite, beside the rate
at which a bare kafka-python consumer reads the same topic — all measured in one run, interleaved, and
reported as medians and ratios.

    python bench/ingest_throughput.py --events 100000 --rounds 3 [--profile postgresql]

Needs a broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one on 39092 is started) and
PostgreSQL at BENCH_DATABASE_URL (default: the tests' database, which it wipes).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kafka import KafkaConsumer
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clearance.config import PROJECT_ROOT, Settings, from_environ, ingest_settings  # noqa: E402
from clearance.simulate import SimConfig, generate  # noqa: E402
from events.kafka import ensure_topics, make_producer  # noqa: E402
from ingest.runner import IngestWorker  # noqa: E402
from models.db import make_engine, session_factory, upgrade  # noqa: E402
from support import median_table  # noqa: E402
from tests.support.kafka import find_broker  # noqa: E402

DEFAULT_PG = "postgresql://clearance:clearance@127.0.0.1:5432/clearance_test"


def fill_topic(bootstrap: str, topic: str, count: int, partitions: int = 4) -> int:
    ensure_topics(bootstrap, {topic: partitions})
    producer = make_producer(bootstrap, linger_ms=50, batch_size=256 * 1024, max_in_flight_requests_per_connection=5)
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for message in generate(SimConfig(seed=42, count=count, start=start)):
        producer.send(topic, key=message.key, value=message.value)
    producer.flush()
    producer.close()
    return count


def bare_consume(bootstrap: str, topic: str, count: int) -> float:
    """Seconds a plain consumer (no decoding) takes to read `count` messages."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=f"bare-{uuid.uuid4().hex[:8]}",
                             auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=2000)
    consumer.subscribe([topic])
    seen, started = 0, None
    while seen < count:
        for batch in consumer.poll(timeout_ms=500).values():
            started = started or time.perf_counter()
            seen += len(batch)
    elapsed = time.perf_counter() - started  # type: ignore[operator]
    consumer.close()
    return elapsed


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def worker_run(settings: Settings, count: int, profile: bool) -> float:
    """Seconds one IngestWorker takes from its start (joining the group included, 0.2 s here) to
    having received `count` messages."""
    engine = make_engine(settings.database_url)
    marks: dict[str, float] = {}

    def on_stored(_: object) -> None:
        marks.setdefault("first", time.perf_counter())
        if worker.stats.received >= count:
            marks["done"] = time.perf_counter()
            worker.stop()

    worker = IngestWorker(ingest_settings(settings), session_factory(engine), on_stored=on_stored)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    marks["start"] = time.perf_counter()
    worker.run()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    engine.dispose()
    return marks["done"] - marks["start"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--profile", choices=["postgresql", "sqlite"], default=None)
    args = parser.parse_args()
    base = from_environ({})
    bootstrap, cleanup = find_broker(PROJECT_ROOT / "data" / "kafka-test", base.kafka_cache_dir)
    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    topic = f"bench.{uuid.uuid4().hex[:8]}.events"
    t0 = time.perf_counter()
    fill_topic(bootstrap, topic, args.events)
    print(f"filled {topic} with {args.events:,} simulated messages in {time.perf_counter() - t0:.1f}s")
    results: dict[str, list[float]] = {"bare consumer": [], "worker → PostgreSQL": [], "worker → SQLite": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(args.rounds):
            results["bare consumer"].append(args.events / bare_consume(bootstrap, topic, args.events))
            for label, url in (("worker → PostgreSQL", pg_url), ("worker → SQLite", f"sqlite:///{tmp}/r{round_no}.db")):
                reset_postgres(url) if url.startswith("postgresql") else upgrade(url)
                settings = Settings(data_dir=Path(tmp), database_url=url, kafka_bootstrap_servers=bootstrap,
                                    kafka_cache_dir=base.kafka_cache_dir, events_topic=topic,
                                    dlq_topic=f"{topic}.dlq", group_id=f"bench-{uuid.uuid4().hex[:8]}",
                                    batch_size=args.batch_size)
                profile = args.profile is not None and label.endswith(
                    "PostgreSQL" if args.profile == "postgresql" else "SQLite") and round_no == 0
                results[label].append(args.events / worker_run(settings, args.events, profile))
            print(f"round {round_no + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()))
    print("\n" + median_table(results, "bare consumer", "msg/s", "vs bare"))
    cleanup()


if __name__ == "__main__":
    main()
