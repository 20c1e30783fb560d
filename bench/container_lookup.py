"""Latency of GET /api/v1/containers/<container_no> with 1,000,000 containers in PostgreSQL, beside the
same requests against a 10,000-container baseline served by a second portal process, in the same run.

    python bench/container_lookup.py [--containers 1000000] [--baseline 10000] [--requests 800]
                                     [--concurrency 1,4] [--rounds 3] [--reuse] [--profile 500]

Both tables are bulk-loaded with COPY (bench/fill.py: synthetic visits built with models.visits.visit_state
from six templates) into the database --database-url (default clearance_bench): the large one in schema
public, the baseline in schema bench_small. Each holds two users with a token: the port office, and an
enterprise that sees four of the six templates. Each round, for each database and concurrency, a thread pool
of keep-alive http.client connections sends --requests requests in random order, a quarter of each kind:
office hit (an existing container), office miss (a valid number that does not exist), enterprise hit (its
own container), enterprise other (another enterprise's container: 404, as if missing). Latency is from
sending the request to reading the whole answer. --profile N runs N hits through the Flask app in this
process under cProfile, to show where the time goes.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fill
import support
from processes import Stack
from support import percentile

from models.user import Role
from tests.support.kafka import find_broker

KINDS = ("office hit", "office miss", "enterprise hit", "enterprise other")
ACCOUNTS = {"office": (Role.PORT_OFFICE, None, None), "enterprise": (Role.ENTERPRISE, fill.A, None)}
MINE = [k for k, t in enumerate(fill.TEMPLATES) if t.uscc == fill.A]
THEIRS = [k for k, t in enumerate(fill.TEMPLATES) if t.uscc != fill.A]


def prepare(url: str, schema: str, count: int, reuse: bool) -> tuple[str, dict[str, str]]:
    """A filled schema with the two users; returns (its URL, tokens)."""
    scoped = support.with_schema(url, schema)
    if reuse and fill.stored_count(scoped) == count:
        print(f"{schema}: reusing {count:,} containers")
    else:
        scoped = support.reset_schema(url, schema)
        print(f"{schema}: loaded {count:,} containers in {fill.fill(scoped, count):.0f}s", flush=True)
    suffix = str(time.time_ns())[-8:]
    tokens = support.add_accounts(scoped, {f"{n}-{suffix}": v for n, v in ACCOUNTS.items()})
    return scoped, {n.rsplit("-", 1)[0]: t for n, t in tokens.items()}


def workload(count: int, requests: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, container_no, expected status) in random order."""
    def of_templates(allowed: list[int]) -> str:
        while True:
            i = rng.randrange(count)
            if i % len(fill.TEMPLATES) in allowed:
                return fill.number(i)
    every = list(range(len(fill.TEMPLATES)))
    jobs = []
    for n in range(requests):
        kind = KINDS[n % 4]
        if kind == "office miss":
            jobs.append((kind, fill.number(count + rng.randrange(count)), 404))
        else:
            jobs.append((kind, of_templates({"office hit": every, "enterprise hit": MINE}.get(kind, THEIRS)),
                         404 if kind == "enterprise other" else 200))
    rng.shuffle(jobs)
    return jobs


def hammer(port: int, tokens: dict[str, str], jobs: list[tuple[str, str, int]],
           concurrency: int) -> tuple[dict[str, list[float]], int, float]:
    """Send the jobs over `concurrency` keep-alive connections: ({kind: [ms]}, errors, requests/s)."""
    local = threading.local()
    results: dict[str, list[float]] = {k: [] for k in KINDS}
    errors = [0]

    def one(job: tuple[str, str, int]) -> None:
        kind, container_no, expected = job
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = tokens["enterprise" if kind.startswith("enterprise") else "office"]
        started = time.perf_counter()
        try:
            local.conn.request("GET", f"/api/v1/containers/{container_no}",
                               headers={"Authorization": f"Bearer {token}"})
            answer = local.conn.getresponse()
            body = answer.read()
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            errors[0] += 1
            return
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != expected or (expected == 200 and json.loads(body)["container_no"] != container_no):
            errors[0] += 1
        results[kind].append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
    return results, errors[0], len(jobs) / (time.perf_counter() - started)


def profile(url: str, count: int, requests: int, token: str) -> None:
    """Where one request's time goes, in-process (Flask test client, no network, no gevent)."""
    import cProfile
    import pstats

    from clearance.config import Settings
    from portal import create_app
    from clearance.config import portal_config
    settings = Settings(data_dir=support.ROOT / "data" / "bench", database_url=url,
                        kafka_bootstrap_servers="127.0.0.1:1", kafka_cache_dir=Path("/nonexistent"))
    client = create_app(portal_config(settings, "x" * 40, live_feed=False)).test_client()
    rng = random.Random(7)
    numbers = [fill.number(rng.randrange(count)) for _ in range(requests)]
    for n in numbers[:50]:
        client.get(f"/api/v1/containers/{n}", headers={"Authorization": f"Bearer {token}"})
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in numbers:
        client.get(f"/api/v1/containers/{n}", headers={"Authorization": f"Bearer {token}"})
    profiler.disable()
    print(f"\nin-process, {requests} office hits under cProfile (which about doubles the times): "
          f"{(time.perf_counter() - started) / requests * 1000:.2f} ms per request")
    stats = pstats.Stats(profiler)
    total = 0.0
    for label, suffix, name in PARTS:
        spent = sum(v[3] for (f, _, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                    if f.endswith(suffix) and fn == name) / requests * 1000
        total = total or spent
        print(f"  {label:58} {spent:6.2f} ms {100 * spent / total:5.1f}%")
    stats.sort_stats("tottime").print_stats(12)


PARTS = (("Flask wsgi_app (the whole request in the app)", "flask/app.py", "wsgi_app"),
         ("  authenticate: token -> user (1 query)", "portal/auth/principal.py", "current_principal"),
         ("  load_container (1 query)", "portal/containers/views.py", "load_container"),
         ("  container_view (filter + enrich)", "portal/containers/views.py", "container_view"),
         ("  response schema dump (flask-smorest / marshmallow)", "marshmallow/schema.py", "dump"),
         ("  session close at teardown", "portal/db.py", "_close_session"),
         ("across the above: pool checkouts (pool_pre_ping)", "sqlalchemy/pool/base.py", "_checkout"),
         ("across the above: pre-ping round trips", "_psycopg_common.py", "do_ping"),
         ("across the above: waiting on PostgreSQL (psycopg)", "psycopg/connection.py", "wait"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--containers", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000, help="containers in the baseline database")
    parser.add_argument("--requests", type=int, default=800, help="per database, concurrency and round")
    parser.add_argument("--concurrency", default="1,4", help="client connections, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=400, help="unrecorded requests per portal first")
    parser.add_argument("--reuse", action="store_true", help="keep already-filled tables of the right size")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile N hits in-process")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the portals' logs in data/bench/")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    info = support.machine() | {"postgres": support.postgres_version(args.database_url)}
    print(json.dumps(info))
    dbs = {}
    for schema, count in (("bench_small", args.baseline), ("public", args.containers)):
        dbs[f"{count:,}"] = (*prepare(args.database_url, schema, count, args.reuse), count, None)
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test",
                                            Path.home() / ".cache/clearance/kafka")
    stacks, ports = {}, {}
    rng = random.Random(42)
    results: list[dict[str, object]] = []
    try:
        for label, (url, _tokens, _count, command) in dbs.items():
            stacks[label] = Stack(bootstrap, url, support.workdir(f"lookup-{label.replace(',', '').replace(' ', '-')}"))
            stacks[label].topics()  # the portal reads its (idle) change feed
            _, base = stacks[label].portal(command=command)
            ports[label] = int(base.rsplit(":", 1)[1])
        for label, (_url, tokens, count, _) in dbs.items():
            hammer(ports[label], tokens, workload(count, args.warmup, rng), max(levels))
        for round_no in range(args.rounds):
            for concurrency in levels:
                for label, (_url, tokens, count, _) in dbs.items():
                    pid = stacks[label].processes["portal"].pid
                    cpu0, t0 = support.cpu_seconds(pid), time.perf_counter()
                    times, errors, rate = hammer(ports[label], tokens, workload(count, args.requests, rng),
                                                 concurrency)
                    cpu = 100 * (support.cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
                    row = {"round": round_no + 1, "db": label, "concurrency": concurrency, "errors": errors,
                           "rps": rate, "portal_cpu": cpu,
                           **{f"{k} p50": percentile(v, 50) for k, v in times.items()},
                           **{f"{k} p99": percentile(v, 99) for k, v in times.items()}}
                    results.append(row)
                    print(f"round {round_no + 1} c={concurrency} {label:>17}: {rate:.0f} req/s, portal cpu "
                          f"{cpu:.0f}%, errors {errors}; " + ", ".join(
                              f"{k} {row[f'{k} p50']:.2f}/{row[f'{k} p99']:.2f}" for k in KINDS)
                          + " ms (p50/p99)", flush=True)
    finally:
        for stack in stacks.values():
            stack.stop()
            stack.cleanup(args.keep)
        broker_cleanup()
    report(results, levels, list(dbs))
    if args.profile:
        url, tokens, count, _ = dbs[f"{args.containers:,}"]
        profile(url, count, args.profile, tokens["office"])
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=1))


def report(results: list[dict[str, object]], levels: list[int], labels: list[str]) -> None:
    print("\nmedians over rounds (ms); ratio: p99 / the baseline's p99 at the same concurrency")
    print(f"{'conc':>4} {'kind':>16} {'database':>19} {'p50':>7} {'p99':>7} {'ratio':>6} {'req/s':>6}  p99 per round")
    for concurrency in levels:
        for kind in KINDS:
            base = None
            for label in labels:
                mine = [r for r in results if r["db"] == label and r["concurrency"] == concurrency]
                p99s = [float(r[f"{kind} p99"]) for r in mine]  # type: ignore[arg-type]
                p99 = statistics.median(p99s)
                base = base or p99
                print(f"{concurrency:>4} {kind:>16} {label:>19} "
                      f"{statistics.median(float(r[f'{kind} p50']) for r in mine):7.2f} {p99:7.2f} "  # type: ignore[arg-type]
                      f"{p99 / base:6.2f} {statistics.median(float(r['rps']) for r in mine):6.0f}  "  # type: ignore[arg-type]
                      + ", ".join(f"{v:.2f}" for v in p99s))


if __name__ == "__main__":
    main()
