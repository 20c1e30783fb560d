"""Soak: --minutes of events at --rate with --clients live Socket.IO clients connected, in back-to-back
phases of --phase seconds (bench/live_latency.py's phase: fresh containers, every client subscribed,
stamped events, delivery counted). After each phase: the portal's and the ingest worker's resident memory
and open file descriptors, the client latency p50/p99 of the phase, and what was delivered. Written as
CSV and as an SVG plot (no plotting library needed) beside the printed table. With --reconnect every
client closes its connection and connects anew before each phase after the first, as browsers come and
go, so what the portal keeps per connection shows.

    python bench/soak.py --minutes 30 --rate 500 --clients 1000 --out data/bench/soak

Needs a broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one) and PostgreSQL at
BENCH_DATABASE_URL (schema bench_live, wiped).
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support  # noqa: E402
from feedwatch import Observer  # noqa: E402
from live_latency import ACCOUNTS, Run, split  # noqa: E402
from livesocket import Fleets  # noqa: E402
from processes import Stack  # noqa: E402
from soak_plot import write_svg  # noqa: E402

from tests.support.kafka import find_broker  # noqa: E402

COLUMNS = ("minute", "portal_rss_mib", "ingest_rss_mib", "portal_fds", "ingest_fds", "client_p50_ms",
           "client_p99_ms", "delivered_share", "achieved_rate")


def sample(stack: Stack, result: dict[str, object], began: float) -> dict[str, float]:
    portal, ingest = stack.processes["portal"].pid, stack.processes["ingest"].pid
    return {"minute": (time.monotonic() - began) / 60,
            "portal_rss_mib": support.rss_kib(portal) / 1024, "ingest_rss_mib": support.rss_kib(ingest) / 1024,
            "portal_fds": sum(support.open_fds(portal).values()), "ingest_fds": sum(support.open_fds(ingest).values()),
            "client_p50_ms": float(result["client p50"]), "client_p99_ms": float(result["client p99"]),  # type: ignore[arg-type]
            "delivered_share": int(result["delivered"]) / max(1, int(result["expected"])),  # type: ignore[call-overload]
            "achieved_rate": float(result["achieved_rate"])}  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=int, default=500, help="events per second")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--phase", type=float, default=50.0, help="seconds of sending per phase")
    parser.add_argument("--events-per-container", type=int, default=10)
    parser.add_argument("--batch-seconds", type=float, default=0.02)
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    parser.add_argument("--reconnect", action="store_true", help="every client reconnects before each phase")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--out", type=Path, default=support.ROOT / "data" / "bench" / "soak")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    nofile = support.raise_nofile(args.clients + 4096)
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test", Path.home() / ".cache/clearance/kafka")
    url = support.reset_schema(args.database_url, "bench_live")
    tokens = support.add_accounts(url, ACCOUNTS)
    stack = Stack(bootstrap, url, support.workdir("soak"), batch_seconds=args.batch_seconds)
    stack.topics()
    fleets = observer = None
    rows: list[dict[str, float]] = []
    try:
        stack.ingest()
        _, base = stack.portal()
        observer = Observer(bootstrap, stack.events_topic, stack.updates_topic)
        fleets = Fleets(args.client_processes, "127.0.0.1", int(base.rsplit(":", 1)[1]), nofile)
        names = list(tokens)
        all_tokens = [tokens[names[i % len(names)]] for i in range(args.clients)]
        fleets.call("connect", [{"tokens": t} for t in split(all_tokens, args.client_processes)])
        run = Run(args, stack, fleets, observer)
        began = time.monotonic()
        while time.monotonic() - began < args.minutes * 60:
            if args.reconnect and rows:
                answers = fleets.call("reconnect")
                assert sum(a["connected"] for a in answers) == args.clients, answers
            rows.append(sample(stack, run.phase(args.rate, args.phase, f"soak-{len(rows)}"), began))
            print("  ".join(f"{k} {v:,.1f}" for k, v in rows[-1].items()), flush=True)
    finally:
        if fleets:
            fleets.close()
        if observer:
            observer.close()
        stack.stop()
        stack.cleanup(keep=False)
        broker_cleanup()
    with (args.out / "soak.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    write_svg(rows, args.out / "soak.svg", f"{args.rate} events/s, {args.clients} clients")
    print(f"wrote {args.out / 'soak.csv'} and {args.out / 'soak.svg'}")


if __name__ == "__main__":
    main()
