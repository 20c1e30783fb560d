"""How long the port office waits for "30-day clearance time by terminal" over a year's worth of visits.

    python bench/stats_query.py [--visits 1000000] [--days 150] [--requests 50] [--rounds 3]
                                [--database-url URL] [--reuse]

Fills schema bench_stats of --database-url (PostgreSQL; default BENCH_DATABASE_URL or clearance_bench)
with --visits visits spread over --days days up to today (bench/milestone_fill.py: `containers`,
`container_visits` with empty states, which the figures never read, and `visit_milestones`, generated
and loaded with COPY). Then, each round: --requests requests of
GET /api/v1/stats/clearance-time?measure=gacc&direction=IMPORT&group_by=terminal&from=<today-30>&to=<tomorrow>
as the port office, one after another on one keep-alive connection to a real `clearance portal`
(gevent), and as many calls of the query function in-process (portal.stats.queries.clearance_time, a
fresh session each). Reported: p50 and p99 per round, and their medians — first reading every visit of
the period, then with every past day's figures kept (ingest.figure_roll, timed), in the same run.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support
from figure_keep import forget_kept_days, keep_days
from milestone_fill import fill
from processes import Stack
from support import percentile

from models.access import Principal
from models.db import make_engine, session_factory
from models.measures import figure
from models.measure_sql import shanghai_today
from models.user import Role
from portal.stats.activity import activity_now
from portal.stats.queries import StatsFilter, clearance_time, stage_times
from tests.support.kafka import find_broker

SCHEMA = "bench_stats"


def stored(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM visit_milestones").scalar_one())
    except Exception:  # noqa: BLE001 - no such table: not filled
        return -1
    finally:
        engine.dispose()


def period_query(now: datetime) -> dict[str, str]:
    end = shanghai_today(now) + timedelta(days=1)
    return {"measure": "gacc", "direction": "IMPORT", "group_by": "terminal",
            "from": (end - timedelta(days=30)).isoformat(), "to": end.isoformat()}


def over_http(port: int, token: str, query: dict[str, str], requests: int) -> tuple[list[float], dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = "/api/v1/stats/clearance-time?" + "&".join(f"{k}={v}" for k, v in query.items())
    times, body = [], {}
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        answer = connection.getresponse()
        data = answer.read()
        times.append((time.perf_counter() - started) * 1000)
        if answer.status != 200:
            raise SystemExit(f"{answer.status}: {data[:300]!r}")
        body = json.loads(data)
    connection.close()
    return times, body


def in_process(url: str, query: dict[str, str], requests: int, now: datetime) -> list[float]:
    engine = make_engine(url)
    sessions = session_factory(engine)
    office = Principal(0, "bench", Role.PORT_OFFICE.value, None, None)
    where = StatsFilter("IMPORT", date.fromisoformat(query["from"]), date.fromisoformat(query["to"]))
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        with sessions() as session:
            clearance_time(session, office, figure("gacc", "IMPORT"), where, "terminal", now)
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return times


def other_figures(url: str, query: dict[str, str], requests: int, now: datetime) -> dict[str, float]:
    """Median ms in-process of the dashboard's other figures: stages (each direction) and now."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    office = Principal(0, "bench", Role.PORT_OFFICE.value, None, None)
    first, end = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
    calls = {"stages IMPORT": lambda s: stage_times(s, office, StatsFilter("IMPORT", first, end)),
             "stages EXPORT": lambda s: stage_times(s, office, StatsFilter("EXPORT", first, end)),
             "now": lambda s: activity_now(s, office, None, None, now)}
    medians = {}
    for name, call in calls.items():
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            with sessions() as session:
                call(session)
            times.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(times)
    engine.dispose()
    return medians


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=150, help="the visits' starts are spread over these days")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per round and way")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--reuse", action="store_true", help="keep the filled schema if it holds --visits")
    parser.add_argument("--layout", choices=("time", "random"), default="time", help="time: rows in the order "
                        "of their last milestone, as ingest leaves them; random: in the order generated")
    return parser.parse_args()


def run_rounds(port: int, token: str, scoped: str, query: dict[str, str], args: argparse.Namespace,
               now: datetime) -> dict[str, list[tuple[float, float]]]:
    """(p50, p99) per round, over HTTP and in-process."""
    results: dict[str, list[tuple[float, float]]] = {"HTTP": [], "query function": []}
    over_http(port, token, query, 5)  # warm-up: connections, plans, caches
    for round_no in range(1, args.rounds + 1):
        http_ms, body = over_http(port, token, query, args.requests)
        direct_ms = in_process(scoped, query, args.requests, now)
        for way, ms in (("HTTP", http_ms), ("query function", direct_ms)):
            results[way].append((statistics.median(ms), percentile(ms, 99)))
        (http_p50, http_p99), (direct_p50, direct_p99) = results["HTTP"][-1], results["query function"][-1]
        print(f"round {round_no}: HTTP p50 {http_p50:.1f} ms p99 {http_p99:.1f} ms; query function p50 "
              f"{direct_p50:.1f} ms p99 {direct_p99:.1f} ms; {sum(g['count'] for g in body['groups']):,} visits "
              f"in {len(body['groups'])} groups, {body['open']:,} open", flush=True)
    return results


def report(label: str, results: dict[str, list[tuple[float, float]]]) -> None:
    for way, per_round in results.items():
        print(f"{label}, {way}: median p50 {statistics.median(p for p, _ in per_round):.1f} ms, "
              f"median p99 {statistics.median(q for _, q in per_round):.1f} ms", flush=True)


def main() -> None:
    args = arguments()
    print(json.dumps(support.machine() | {"postgres": support.postgres_version(args.database_url)}), flush=True)
    now = datetime.now(UTC)
    scoped = support.with_schema(args.database_url, SCHEMA)
    if not (args.reuse and stored(scoped) == args.visits):
        scoped = support.reset_schema(args.database_url, SCHEMA)
        seconds = fill(scoped, args.visits, args.days, now, args.layout)
        print(f"filled {args.visits:,} visits ({args.layout} layout) in {seconds:.0f} s", flush=True)
    token = support.add_accounts(scoped, {f"office-{os.getpid()}": (Role.PORT_OFFICE, None, None)}).popitem()[1]
    query = period_query(now)
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test",
                                            Path.home() / ".cache/clearance/kafka")
    forget_kept_days(scoped)
    stack = Stack(bootstrap, scoped, support.workdir("stats-query"))
    others: dict[str, dict[str, float]] = {}
    try:
        stack.topics()
        _process, base = stack.portal()
        port = int(base.rsplit(":", 1)[1])
        print("reading every visit of the period:", flush=True)
        every_visit = run_rounds(port, token, scoped, query, args, now)
        others["every visit"] = other_figures(scoped, query, max(5, args.requests // 5), now)
        keep_days(scoped, args.days + 1, now)
        print("past days kept, today read live:", flush=True)
        kept = run_rounds(port, token, scoped, query, args, now)
        others["days kept"] = other_figures(scoped, query, max(5, args.requests // 5), now)
    finally:
        stack.stop()
        stack.cleanup(False)
        broker_cleanup()
    report("every visit", every_visit)
    report("days kept", kept)
    for label, medians in others.items():
        print(f"in-process medians of the other figures, {label}: "
              + ", ".join(f"{k} {v:.0f} ms" for k, v in medians.items()))


if __name__ == "__main__":
    main()
