"""Does GET /api/v1/declarations/<no> tell, by its time, another's declaration from one that does not exist?

    python bench/declaration_timing.py [--declarations 200] [--requests 300] [--rounds 3] [--database-url URL]

One database (schema bench_declarations of --database-url, default BENCH_DATABASE_URL or clearance_bench;
`sqlite:///…` works too) holds --declarations declarations for each of two enterprises, each with four
customs and terminal events and one container. A real `clearance portal` process (gevent) serves it.
Each round, one keep-alive connection sends, as enterprise A and in random order, --requests requests of
each kind: own (A's declaration: 200), other (B's: 404), missing (a valid number nothing names: 404).
Latency is from sending the request to reading the whole answer; the two 404 bodies must be identical.
Reported: median, p10 and p90 per kind and round, and the medians' difference other - missing.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support
from processes import Stack
from support import percentile

from events.codec import ClearanceEvent
from models.db import make_engine, session_factory, upgrade
from models.operations import store_events
from models.user import Role
from tests.support.factories import event
from tests.support.kafka import find_broker

KINDS = ("own", "other", "missing")
SCHEMA = "bench_declarations"


def declaration_number(owner: int, k: int) -> str:
    return f"4201202{owner}{k:010d}"


def declaration_events(owner: int, k: int, uscc: str, container_no: str) -> list[ClearanceEvent]:
    """Four events of one export declaration: accepted, arrival, inspection, release."""
    number, tag = declaration_number(owner, k), f"{owner}-{k}"
    customs = dict(source="CUSTOMS", publisher="4201", declaration_no=number, enterprise_uscc=uscc,
                   declarant_uscc=uscc)
    declared = dict(customs, container_no=None, vessel_imo=None, voyage=None, terminal=None, containers=[container_no])
    return [
        event("DECLARATION_ACCEPTED", f"dl-{tag}", "2026-11-20T07:30:00+08:00", customs_code="L", **declared),
        event("ARRIVAL_REPORTED", f"ar-{tag}", "2026-11-20T08:05:00+08:00", container_no=container_no,
              enterprise_uscc=uscc, declaration_no=number),
        event("INSPECTION_COMPLETED", f"in-{tag}", "2026-11-20T09:00:00+08:00", container_no=container_no,
              detail={"result": "NORMAL"}, **customs),
        event("CUSTOMS_RELEASED", f"cr-{tag}", "2026-11-20T10:00:00+08:00", customs_code="P", **declared),
    ]


def prepare(url: str, count: int) -> tuple[str, str]:
    """A fresh database with `count` declarations per enterprise; returns (its URL, A's token)."""
    if url.startswith("sqlite"):
        Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
        upgrade(url)
        scoped = url
    else:
        scoped = support.reset_schema(url, SCHEMA)
    owners = {1: support.ENTERPRISE, 2: support.OTHER_ENTERPRISE}
    containers = iter(support.container_numbers("BNCU", 1, 2 * count))
    engine = make_engine(scoped)
    with session_factory(engine)() as session:
        for owner, uscc in owners.items():
            for k in range(count):
                store_events(session, declaration_events(owner, k, uscc, next(containers)))
        session.commit()
    engine.dispose()
    tokens = support.add_accounts(scoped, {"bench-a": (Role.ENTERPRISE, owners[1], None)})
    return scoped, tokens["bench-a"]


def workload(count: int, requests: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, declaration number, expected status), `requests` of each kind, shuffled."""
    jobs = []
    for _ in range(requests):
        jobs.append(("own", declaration_number(1, rng.randrange(count)), 200))
        jobs.append(("other", declaration_number(2, rng.randrange(count)), 404))
        jobs.append(("missing", declaration_number(3, rng.randrange(count)), 404))
    rng.shuffle(jobs)
    return jobs


def hammer(port: int, token: str, jobs: list[tuple[str, str, int]]) -> tuple[dict[str, list[float]], set[bytes]]:
    """Send the jobs one after another on one keep-alive connection: ({kind: [ms]}, distinct 404 bodies)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    not_found: set[bytes] = set()
    headers = {"Authorization": f"Bearer {token}"}
    for kind, number, expected in jobs:
        started = time.perf_counter()
        connection.request("GET", f"/api/v1/declarations/{number}", headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        times[kind].append((time.perf_counter() - started) * 1000)
        if answer.status != expected:
            raise SystemExit(f"{kind} {number}: expected {expected}, got {answer.status}: {body[:300]!r}")
        if expected == 404:
            not_found.add(body)
    connection.close()
    return times, not_found


def run_rounds(port: int, token: str, args: argparse.Namespace, pid: int) -> list[dict[str, float]]:
    rng = random.Random(42)
    hammer(port, token, workload(args.declarations, args.warmup, rng))
    rows = []
    for round_no in range(1, args.rounds + 1):
        cpu0, t0 = support.cpu_seconds(pid), time.perf_counter()
        times, bodies = hammer(port, token, workload(args.declarations, args.requests, rng))
        if len(bodies) != 1:
            raise SystemExit(f"the 404 bodies differ: {bodies}")
        row: dict[str, float] = {"round": round_no,
                                 "portal_cpu": 100 * (support.cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)}
        for kind in KINDS:
            row |= {f"{kind} p50": statistics.median(times[kind]), f"{kind} p10": percentile(times[kind], 10),
                    f"{kind} p90": percentile(times[kind], 90)}
        rows.append(row)
        print(f"round {round_no}: portal cpu {row['portal_cpu']:.0f}%; " + ", ".join(
            f"{k} {row[f'{k} p50']:.3f} ms (p10 {row[f'{k} p10']:.3f}, p90 {row[f'{k} p90']:.3f})" for k in KINDS)
            + f"; other - missing {row['other p50'] - row['missing p50']:+.3f} ms", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--declarations", type=int, default=200, help="declarations per enterprise")
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=100, help="unrecorded requests of each kind first")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--keep", action="store_true", help="keep the portal's log in data/bench/")
    args = parser.parse_args()
    url = args.database_url
    info = support.machine() | ({} if url.startswith("sqlite") else {"postgres": support.postgres_version(url)})
    print(json.dumps(info), flush=True)
    scoped, token = prepare(url, args.declarations)
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test",
                                            Path.home() / ".cache/clearance/kafka")
    stack = Stack(bootstrap, scoped, support.workdir("declaration-timing"))
    try:
        stack.topics()  # the portal reads its (idle) change feed
        process, base = stack.portal()
        rows = run_rounds(int(base.rsplit(":", 1)[1]), token, args, process.pid)
    finally:
        stack.stop()
        stack.cleanup(args.keep)
        broker_cleanup()
    medians = {k: statistics.median(r[f"{k} p50"] for r in rows) for k in KINDS}
    print("\nmedian of the rounds' medians (ms): " + ", ".join(f"{k} {v:.3f}" for k, v in medians.items())
          + f"; other - missing {medians['other'] - medians['missing']:+.3f} ms"
          + f" ({100 * (medians['other'] / medians['missing'] - 1):+.1f} %)")


if __name__ == "__main__":
    main()
