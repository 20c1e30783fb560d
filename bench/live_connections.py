"""How many concurrent, subscribed Socket.IO clients one `clearance portal` process (gevent) holds, what
each connection costs it in memory, and whether a broadcast still reaches every one of them.

    python bench/live_connections.py [--steps 1000,2000,5000,10000] [--client-processes 2] [--broadcasts 3]

Real processes: the broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one on 39092), one
`clearance ingest` (CLEARANCE_BATCH_SECONDS=--batch-seconds), one `clearance portal`, on PostgreSQL
(--database-url, default clearance_bench; its schema bench_live is wiped). RLIMIT_NOFILE is raised here
(root may raise the hard limit) and inherited by the portal and the client processes. Steps are
cumulative: clients connect (at most --concurrency handshakes in flight per client process) as the same
enterprise user and send {"scope": "mine"}, each waiting for its snapshot, until N are connected. Then:
the portal's RSS (/proc VmRSS) and its growth per connection since the step before and since no client;
the portal's CPU while the N clients sit idle (Engine.IO pings) for --idle seconds; then --broadcasts times
one event for one of the enterprise's containers goes through ingest and the change feed to the "mine"
room of N clients: how many received the update within --broadcast-timeout, and the time from send() to
the first, the median, the 99th percentile and the last client.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support
from livesocket import Fleets, longs
from processes import Stack
from support import ENTERPRISE, lifecycle_events, percentile, stamp

from events.kafka import make_producer
from models.user import Role
from tests.support.kafka import find_broker


def broadcast(fleets: Fleets, producer, stack: Stack, event: tuple[bytes, bytes], expected: int,  # type: ignore[no-untyped-def]
              timeout: float) -> dict[str, float]:
    fleets.call("arm")
    key, value = event
    sent_ns = time.time_ns()
    producer.send(stack.events_topic, key=key, value=stamp(value, sent_ns))
    producer.flush()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(c["firsts"] for c in fleets.call("count")) >= expected:
            break
        time.sleep(0.05)
    times = [(r - sent_ns) / 1e6 for x in fleets.call("collect") for r in longs(x["firsts"])]
    return {"received": len(times), "first": min(times, default=float("nan")), "p50": percentile(times, 50),
            "p99": percentile(times, 99), "last": max(times, default=float("nan"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="1000,2000,5000,10000", help="connected clients, cumulative")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes in flight per client process")
    parser.add_argument("--broadcasts", type=int, default=3, help="broadcasts per step (medians)")
    parser.add_argument("--broadcast-timeout", type=float, default=30.0)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU measured per step")
    parser.add_argument("--batch-seconds", type=float, default=0.02, help="CLEARANCE_BATCH_SECONDS of ingest")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs in data/bench/")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    nofile = support.raise_nofile(max(65536, 2 * max(steps) + 8192))
    info = support.machine() | {"postgres": support.postgres_version(args.database_url), "nofile": str(nofile)}
    print(json.dumps(info))
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test", Path.home() / ".cache/clearance/kafka")
    url = support.reset_schema(args.database_url, "bench_live")
    token = support.add_accounts(url, {"enterprise": (Role.ENTERPRISE, ENTERPRISE, None)})["enterprise"]
    stack = Stack(bootstrap, url, support.workdir("live-connections"), batch_seconds=args.batch_seconds)
    stack.topics()
    producer = make_producer(bootstrap)
    containers = support.container_numbers("BNCU", 0, 5)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    events = lifecycle_events(containers, "conn", 1 + -(-len(steps) * args.broadcasts // 5), start)
    fleets = None
    rows: list[dict[str, object]] = []
    try:
        stack.ingest()
        portal, base = stack.portal()
        for per_container in events:
            producer.send(stack.events_topic, key=per_container[0][0], value=stamp(per_container[0][1], 1))
        producer.flush()
        support.wait_for(lambda: stack.check_alive() or support.count_containers(url, containers) == len(containers),
                         120, "seed events stored", every=0.5)
        time.sleep(2)
        rss0 = support.rss_kib(portal.pid)
        print(f"portal pid {portal.pid}: RSS {rss0 / 1024:.1f} MiB with no client; RLIMIT_NOFILE {nofile}")
        fleets = Fleets(args.client_processes, "127.0.0.1", int(base.rsplit(":", 1)[1]), nofile)
        connected, rss_before, queue = 0, rss0, [e for k in range(1, len(events[0])) for e in (c[k] for c in events)]
        for target in steps:
            wanted = split_even(target - connected, args.client_processes)
            have = [c["sockets"] for c in fleets.call("count")]
            t0, cpu_start = time.perf_counter(), support.cpu_seconds(portal.pid)
            answers = fleets.call("connect", [{"tokens": [token] * n, "concurrency": args.concurrency}
                                              for n in wanted])
            subscribed = fleets.call("subscribe", [{"messages": [{"scope": "mine"}] * n, "first": h,
                                                    "concurrency": args.concurrency}
                                                   for n, h in zip(wanted, have)])
            seconds = time.perf_counter() - t0
            connect_cpu = 100 * (support.cpu_seconds(portal.pid) - cpu_start) / seconds
            counts = fleets.call("count")
            connected = sum(c["open"] for c in counts)
            stack.check_alive()
            time.sleep(1)
            rss, fds = support.rss_kib(portal.pid), support.open_fds(portal.pid)
            cpu0 = support.cpu_seconds(portal.pid)
            time.sleep(args.idle)
            idle_cpu = 100 * (support.cpu_seconds(portal.pid) - cpu0) / args.idle
            casts = [broadcast(fleets, producer, stack, queue.pop(0), connected, args.broadcast_timeout)
                     for _ in range(args.broadcasts)]
            open_after = sum(c["open"] for c in fleets.call("count"))
            row = {"target": target, "connected": connected, "open_after": open_after,
                   "failed": sum(a["failed"] for a in answers), "errors": [e for a in answers for e in a["errors"]][:3],
                   "snapshots": sum(s["snapshot"] for s in subscribed),
                   "refused": sum(s["not_found"] + s["timeout"] for s in subscribed),
                   "portal_fds": fds, "connect_rate": (target - sum(have)) / seconds, "connect_cpu": connect_cpu, "rss_mib": rss / 1024,
                   "kib_per_conn_total": (rss - rss0) / max(1, connected),
                   "kib_per_conn_step": (rss - rss_before) / max(1, connected - sum(have)), "idle_cpu": idle_cpu,
                   "received": min(c["received"] for c in casts),
                   **{k: statistics.median(c[k] for c in casts) for k in ("first", "p50", "p99", "last")},
                   "last_per_broadcast": [c["last"] for c in casts]}
            rss_before = rss
            rows.append(row)
            print(f"{target:>6}: {connected} open ({row['failed']} failed, {row['refused']} not subscribed), "
                  f"{row['connect_rate']:.0f} conn+sub/s (portal cpu {connect_cpu:.0f}%), RSS {row['rss_mib']:.0f} MiB "
                  f"({row['kib_per_conn_total']:.1f} KiB/conn overall, {row['kib_per_conn_step']:.1f} this step), "
                  f"fds {fds}, idle cpu {idle_cpu:.0f}%; broadcast reached {row['received']}/{connected}, first "
                  f"{row['first']:.0f} / p50 {row['p50']:.0f} / p99 {row['p99']:.0f} / last {row['last']:.0f} ms"
                  + (f"; errors {row['errors']}" if row["errors"] else ""), flush=True)
            if connected < target * 0.99:
                print("fewer than 99% of the clients are connected: stopping here")
                break
        report(rows, rss0)
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "rss0_kib": rss0, "rows": rows}, indent=1))
    finally:
        if fleets:
            fleets.close()
        producer.close()
        stack.stop()
        stack.cleanup(args.keep)
        broker_cleanup()


def split_even(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def report(rows: list[dict[str, object]], rss0: int) -> None:
    first = rows[0]
    print(f"\nportal RSS with no client {rss0 / 1024:.1f} MiB; broadcast times are medians of the broadcasts, "
          f"ms from send(); ratio: time to the last client / the same at {first['target']} clients")
    print(f"{'clients':>7} {'open':>6} {'RSS MiB':>8} {'KiB/conn':>8} {'step KiB':>8} {'idle cpu':>8} "
          f"{'reached':>8} {'first':>6} {'p50':>6} {'p99':>6} {'last':>6} {'ratio':>6}")
    for r in rows:
        print(f"{r['target']:>7} {r['open_after']:>6} {r['rss_mib']:8.0f} {r['kib_per_conn_total']:8.1f} "
              f"{r['kib_per_conn_step']:8.1f} {r['idle_cpu']:7.0f}% {r['received']:>8} {r['first']:6.0f} "
              f"{r['p50']:6.0f} {r['p99']:6.0f} {r['last']:6.0f} {float(r['last']) / float(first['last']):6.2f}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
