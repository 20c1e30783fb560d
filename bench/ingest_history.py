"""How one ingest worker's speed into PostgreSQL holds up as the database grows: the same stream stored
into an empty database and into one that already holds --history events of the past, interleaved,
medians of --rounds. A lookup whose plan grows with the table shows here and nowhere else: every other
ingest benchmark starts from an empty database.

    python bench/ingest_history.py --events 40000 --history 1000000 --rounds 3

The past is the stream itself, stored once and copied in SQL under other identifiers (event ids with a
`~n` suffix, which the contract does not allow; container and declaration numbers starting with lower-case
letters; voyages suffixed), with its links and container rows: the size and shape of the tables the
worker reads by key, without simulating a million events. Before each measured run the stream's own rows
are deleted and the tables analysed, so the worker stores it as new against the past alone.

Needs a broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one) and PostgreSQL at
BENCH_DATABASE_URL (wiped).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_throughput import DEFAULT_PG, fill_topic, reset_postgres, worker_run  # noqa: E402
from support import median_table  # noqa: E402

from clearance.config import PROJECT_ROOT, Settings, from_environ  # noqa: E402
from tests.support.kafka import find_broker  # noqa: E402

PAST = "event_id LIKE '%~%'"  # the past's events; its containers and declarations start lower-case
COPIES = {  # table -> {column: its value in copy g}
    "events": {"event_id": "event_id || '~' || g", "retracts": "retracts || '~' || g",
               "container_no": "chr(96 + g) || 'h' || substr(container_no, 3)",
               "declaration_no": "chr(96 + g) || 'h' || substr(declaration_no, 3)",
               "voyage": "voyage || 'h' || g",
               "containers": "CASE WHEN json_typeof(containers) = 'array' THEN (SELECT json_agg(chr(96 + g) || 'h' "
                             "|| substr(c, 3)) FROM json_array_elements_text(containers) AS c) ELSE containers END"},
    "declaration_containers": {"declaration_no": "chr(96 + g) || 'h' || substr(declaration_no, 3)",
                               "container_no": "chr(96 + g) || 'h' || substr(container_no, 3)"},
    "voyage_containers": {"voyage": "voyage || 'h' || g", "container_no": "chr(96 + g) || 'h' || substr(container_no, 3)"},
    "containers": {"container_no": "chr(96 + g) || 'h' || substr(container_no, 3)"},
}
OWN_ROWS = {"events": f"NOT ({PAST})", "declaration_containers": "container_no ~ '^[A-Z]'",
            "voyage_containers": "container_no ~ '^[A-Z]'", "containers": "container_no ~ '^[A-Z]'"}


def columns(connection: psycopg.Connection, table: str) -> list[str]:
    return [r[0] for r in connection.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = %s ORDER BY ordinal_position", (table,))]


def make_past(url: str, wanted: int) -> int:
    """Copy the stored stream until the events table holds about `wanted` events of the past; returns how many."""
    with psycopg.connect(url, autocommit=True) as connection:
        stored = connection.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
        copies = min(26, max(1, math.ceil(wanted / max(stored, 1))))
        with connection.transaction():
            for table, changed in COPIES.items():
                names = columns(connection, table)
                values = ", ".join(changed.get(n, n) for n in names)
                connection.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {values} "  # noqa: S608
                                   f"FROM {table}, generate_series(1, {copies}) AS g WHERE {OWN_ROWS[table]}")
        return int(connection.execute(f"SELECT count(*) FROM events WHERE {PAST}").fetchone()[0])  # type: ignore[index]


def forget_stream(url: str) -> None:
    """Delete the stream's own rows (the past stays) and analyse, so the next run stores it as new."""
    with psycopg.connect(url, autocommit=True) as connection:
        others = [r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
                  if r[0] not in COPIES]
        connection.execute(f"TRUNCATE {', '.join(others)}")
        for table, own in OWN_ROWS.items():
            connection.execute(f"DELETE FROM {table} WHERE {own}")  # noqa: S608
        connection.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=40_000, help="the stream (default 40,000)")
    parser.add_argument("--history", type=int, default=1_000_000, help="events of the past (at most 26 copies)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = from_environ({})
    bootstrap, cleanup = find_broker(PROJECT_ROOT / "data" / "kafka-test", base.kafka_cache_dir)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    topic = f"bench.{uuid.uuid4().hex[:8]}.events"
    fill_topic(bootstrap, topic, args.events)
    rates: dict[str, list[float]] = {"empty database": [], "with the past": []}
    past = 0
    with tempfile.TemporaryDirectory() as tmp:
        def run() -> float:
            settings = Settings(data_dir=Path(tmp), database_url=url, kafka_bootstrap_servers=bootstrap,
                                kafka_cache_dir=base.kafka_cache_dir, events_topic=topic, dlq_topic=f"{topic}.dlq",
                                updates_topic=f"{topic}.updates", group_id=f"bench-{uuid.uuid4().hex[:8]}")
            return args.events / worker_run(settings, args.events, False)
        for round_no in range(args.rounds):
            reset_postgres(url)
            rates["empty database"].append(run())
            began = time.perf_counter()
            past = make_past(url, args.history)
            forget_stream(url)
            print(f"round {round_no + 1}: empty {rates['empty database'][-1]:,.0f}/s; "
                  f"{past:,} events of the past made in {time.perf_counter() - began:.0f} s", flush=True)
            rates["with the past"].append(run())
            print(f"round {round_no + 1}: with the past {rates['with the past'][-1]:,.0f}/s", flush=True)
    print(f"\nworker → PostgreSQL, {args.events:,} events, {past:,} of the past, load {os.getloadavg()[0]:.1f}")
    print(median_table(rates, "empty database", "events/s", "vs empty"))
    cleanup()


if __name__ == "__main__":
    main()
