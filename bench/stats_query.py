"""How long the port office waits for "30-day clearance time by terminal" over a year's worth of visits.

    python bench/stats_query.py [--visits 1000000] [--days 150] [--requests 50] [--rounds 3]
                                [--database-url URL] [--reuse]

Fills schema bench_stats of --database-url (PostgreSQL; default BENCH_DATABASE_URL or clearance_bench)
with --visits visits spread over --days days up to today: `containers`, `container_visits` (an empty
state: the figures never read it) and `visit_milestones`, generated directly (seeded) and loaded with
COPY, secondary indexes and foreign keys dropped during the load and made again after. 55 % import;
four terminals, 2,000 enterprises, 300 brokers; 1 % still open, 0.5 % without a start, 0.2 % ending
before they start. Then, each round: --requests requests of
GET /api/v1/stats/clearance-time?measure=gacc&direction=IMPORT&group_by=terminal&from=<today-30>&to=<tomorrow>
as the port office, one after another on one keep-alive connection to a real `clearance portal`
(gevent), and as many calls of the query function in-process (portal.stats.queries.clearance_time, a
fresh session each). Reported: p50 and p99 per round, and their medians.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support
from fill import number
from processes import Stack
from support import percentile

from models.access import Principal
from models.db import make_engine, session_factory
from models.measures import figure
from models.milestones import MILESTONE_COLUMNS
from models.user import Role
from portal.stats.expressions import shanghai_today
from portal.stats.activity import activity_now
from portal.stats.queries import StatsFilter, clearance_time, stage_times
from tests.support.kafka import find_broker

SCHEMA = "bench_stats"
TERMINALS = ("YTCT", "YTGD", "YTJL", "YTMJ")
H = 3600.0
MILESTONES = tuple(MILESTONE_COLUMNS)
TABLES = ("containers", "container_visits", "visit_milestones")


def lognormal(rng: random.Random, median_h: float, sigma: float = 0.8) -> float:
    return H * median_h * 2.718281828 ** rng.gauss(0.0, sigma)


def import_times(rng: random.Random, t: float) -> dict[str, float | None]:
    arrived = t
    discharged = arrived + rng.uniform(0.3, 12) * H
    accepted = arrived - rng.uniform(2, 72) * H if rng.random() < 0.3 else discharged + lognormal(rng, 12)
    released = max(accepted, discharged) + lognormal(rng, 4)
    return {"vessel_arrived_at": arrived, "discharged_at": discharged, "declaration_accepted_at": accepted,
            "customs_released_at": released, "gate_out_at": released + lognormal(rng, 30)}


def export_times(rng: random.Random, t: float) -> dict[str, float | None]:
    gate_in = t
    accepted = gate_in - lognormal(rng, 5) if rng.random() < 0.45 else gate_in + lognormal(rng, 1.5)
    reported = gate_in + lognormal(rng, 0.12, 0.6)
    released = max(reported, accepted) + lognormal(rng, 0.45, 1.0)
    loaded = released + rng.uniform(1, 20) * H
    return {"gate_in_at": gate_in, "arrival_reported_at": reported, "declaration_accepted_at": accepted,
            "customs_released_at": released, "loaded_at": loaded, "vessel_departed_at": loaded + rng.uniform(1, 8) * H}


def spoil(rng: random.Random, times: dict[str, float | None], direction: str) -> None:
    """Some visits still open, some without a start, a few ending before they start."""
    roll = rng.random()
    start = "vessel_arrived_at" if direction == "IMPORT" else "arrival_reported_at"
    if roll < 0.01:
        for later in ("customs_released_at", "gate_out_at", "loaded_at", "vessel_departed_at"):
            times[later] = None
    elif roll < 0.015:
        times[start] = times["discharged_at"] = None
    elif roll < 0.017 and times[start] is not None:
        times["customs_released_at"] = times[start] - rng.uniform(0.1, 3) * H  # type: ignore[operator]


def stamp(seconds: float | None) -> str:
    if seconds is None:
        return r"\N"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def rows(count: int, days: int, now: datetime, seed: int = 42) -> Iterator[tuple[str, str, str]]:
    """(containers line, container_visits line, visit_milestones line) per visit, COPY text."""
    rng = random.Random(seed)
    first = now.timestamp() - days * 86400
    enterprises = [f"9137{k:014d}" for k in range(2000)]
    brokers = [f"9111{k:014d}" for k in range(300)]
    for i in range(count):
        direction = "IMPORT" if rng.random() < 0.55 else "EXPORT"
        make = import_times if direction == "IMPORT" else export_times
        times = make(rng, first + rng.random() * days * 86400 - 30 * H)
        spoil(rng, times, direction)
        container_no, key = number(i), f"{direction}/9074729/V{i % 997:03d}"
        terminal, enterprise, broker = rng.choice(TERMINALS), rng.choice(enterprises), rng.choice(brokers)
        known = [v for v in times.values() if v is not None]
        inspected = rng.random() < 0.05
        current = next(MILESTONE_COLUMNS[c] for c in reversed(MILESTONES) if times.get(c) is not None)
        yield (f"{container_no}\t1\tbench\n",
               f"{container_no}\t{key}\t{direction}\t9074729\tV{i % 997:03d}\t{terminal}\t{enterprise}\t{broker}\t"
               f"{current}\t{stamp(min(known))}\t{stamp(max(known))}\t{{}}\n",
               "\t".join([container_no, key, direction, terminal, enterprise, broker, "normal",
                          "t" if inspected else "f", "f", "f", "0", "40", current, stamp(max(known)),
                          *(stamp(times.get(c)) for c in MILESTONES)]) + "\n")


def fill(url: str, count: int, days: int, now: datetime, layout: str) -> float:
    """COPY the visits into the empty, migrated schema; returns seconds."""
    started = time.perf_counter()
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET synchronous_commit = off")
        dropped = drop_secondary(cur)
        columns = {t: [r[0] for r in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position", (t,)).fetchall()] for t in TABLES}
        milestone_columns = ["container_no", "visit_key", "direction", "terminal", "enterprise_uscc",
                             "declarant_uscc", "lane", "inspected", "abnormal_inspection", "held",
                             "active_holds", "size", "current_type", "last_event_at", *MILESTONES]
        assert set(milestone_columns) <= set(columns["visit_milestones"])
        statements = {"containers": "COPY containers (container_no, version, state_hash) FROM STDIN",
                      "container_visits": "COPY container_visits (container_no, visit_key, direction, vessel_imo, "
                                          "voyage, terminal, enterprise_uscc, declarant_uscc, current_type, "
                                          "started_at, last_event_at, state) FROM STDIN",
                      "visit_milestones": f"COPY visit_milestones ({', '.join(milestone_columns)}) FROM STDIN"}
        spool = support.workdir("stats-query")
        spool.mkdir(parents=True, exist_ok=True)
        files = [open(spool / f"{table}.copy", "w+", encoding="utf-8") for table in TABLES]  # noqa: SIM115
        for lines in rows(count, days, now):
            for file, line in zip(files, lines):
                file.write(line)
        for file, table in zip(files, TABLES):
            file.seek(0)
            with cur.copy(statements[table]) as copy:
                while block := file.read(1 << 22):
                    copy.write(block)
            file.close()
            Path(file.name).unlink()
        for statement in dropped:
            cur.execute(statement)
        raw.commit()
        if layout == "time":
            in_time_order(cur)
            raw.commit()
        for table in TABLES:
            cur.execute(f"ANALYZE {table}")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - started


def in_time_order(cur: Any) -> None:
    """Rewrite visit_milestones in the order of each visit's last milestone: where ingest leaves a row,
    as every rebuild deletes it and inserts it again at the end."""
    latest = ", ".join(MILESTONES)
    cur.execute(f"CREATE INDEX bench_last_milestone ON visit_milestones (greatest({latest}))")
    cur.execute("CLUSTER visit_milestones USING bench_last_milestone")
    cur.execute("DROP INDEX bench_last_milestone")


def drop_secondary(cur: Any) -> list[str]:
    """Drop the foreign keys and secondary indexes of TABLES; returns the statements that make them again."""
    remake = []
    for table in TABLES:
        for name, definition in cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = %s::regclass", (table,)).fetchall():
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            remake.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table in TABLES:
        for name, definition in cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema() "
                "AND indexname NOT LIKE 'pk_%%'", (table,)).fetchall():
            cur.execute(f'DROP INDEX "{name}"')
            remake.insert(0, definition)
    return remake


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
    where = StatsFilter("IMPORT", datetime.fromisoformat(query["from"]).date(), datetime.fromisoformat(query["to"]).date())
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
    first, end = datetime.fromisoformat(query["from"]).date(), datetime.fromisoformat(query["to"]).date()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=150, help="the visits' starts are spread over these days")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per round and way")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--reuse", action="store_true", help="keep the filled schema if it holds --visits")
    parser.add_argument("--layout", choices=("time", "random"), default="time", help="time: rows in the order "
                        "of their last milestone, as ingest leaves them; random: in the order generated")
    args = parser.parse_args()
    info = support.machine() | {"postgres": support.postgres_version(args.database_url)}
    print(json.dumps(info), flush=True)
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
    stack = Stack(bootstrap, scoped, support.workdir("stats-query"))
    results: dict[str, list[tuple[float, float]]] = {"HTTP": [], "query function": []}
    try:
        stack.topics()
        _process, base = stack.portal()
        port = int(base.rsplit(":", 1)[1])
        over_http(port, token, query, 5)  # warm-up: connections, plans, caches
        for round_no in range(1, args.rounds + 1):
            http_ms, body = over_http(port, token, query, args.requests)
            direct_ms = in_process(scoped, query, args.requests, now)
            for way, ms in (("HTTP", http_ms), ("query function", direct_ms)):
                results[way].append((statistics.median(ms), percentile(ms, 99)))
            counted = sum(g["count"] for g in body["groups"])
            print(f"round {round_no}: HTTP p50 {results['HTTP'][-1][0]:.1f} ms p99 {results['HTTP'][-1][1]:.1f} ms; "
                  f"query function p50 {results['query function'][-1][0]:.1f} ms p99 "
                  f"{results['query function'][-1][1]:.1f} ms; {counted:,} visits in {len(body['groups'])} "
                  f"groups, {body['open']:,} open", flush=True)
    finally:
        stack.stop()
        stack.cleanup(False)
        broker_cleanup()
    for way, per_round in results.items():
        print(f"{way}: median p50 {statistics.median(p for p, _ in per_round):.1f} ms, "
              f"median p99 {statistics.median(q for _, q in per_round):.1f} ms")
    others = other_figures(scoped, query, max(5, args.requests // 5), now)
    print("in-process medians of the other figures: " + ", ".join(f"{k} {v:.0f} ms" for k, v in others.items()))


if __name__ == "__main__":
    main()
