"""End-to-end latency of the live push: from a producer's send() of an event to a Socket.IO client of
/live holding the container's new state, p50 and p99, at each rate with N connected clients, beside the
broker's own produce→consume latency and the time to the change feed, all measured in the same run.

    python bench/live_latency.py [--clients 1000] [--rates 200,1000] [--duration 10] [--rounds 3]

Real processes: the broker (KAFKA_BOOTSTRAP_SERVERS, else the project's local one on 39092), one
`clearance ingest` with CLEARANCE_BATCH_SECONDS=--batch-seconds (0.02), one `clearance portal` (gevent)
on PostgreSQL (--database-url, default clearance_bench; its schema bench_live is wiped). Each phase uses
fresh containers, rate × duration / --events-per-container of them: one seed event each (stored before
the clients subscribe), then --events-per-container events per container, round robin, paced at the
rate, each stamped detail {"sent_ns": time.time_ns()} right before send(). The clients (a third each
enterprise, terminal, port office) are spread round robin over the phase's containers; a delivery is a
(client, event) pair, its latency the time the first update carrying the stamp reached that client.
Stages (same stamps): broker = bare consumer on the events topic; feed write = CreateTime of the first
change-feed message carrying the stamp (ingest: poll, batch wait, store, commit); feed read = the same
bare consumer on the updates topic.
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
from processes import Stack
from feedwatch import Observer
from livesocket import Fleets, pairs
from support import (
    ENTERPRISE,
    TERMINAL,
    container_numbers,
    lifecycle_events,
    percentile,
    stamp,
)

from events.kafka import make_producer
from models.user import Role
from tests.support.kafka import find_broker

ACCOUNTS = {"enterprise": (Role.ENTERPRISE, ENTERPRISE, None), "terminal": (Role.TERMINAL, None, TERMINAL),
            "office": (Role.PORT_OFFICE, None, None)}
STAGES = ("broker", "feed write", "feed read", "client")


class Run:
    def __init__(self, args: argparse.Namespace, stack: Stack, fleets: Fleets, observer: Observer) -> None:
        self.args, self.stack, self.fleets, self.observer = args, stack, fleets, observer
        self.producer = make_producer(stack.bootstrap)  # the project's settings: acks=all, linger 5 ms
        self.serial = 0
        self.per_fleet = [len(t) for t in split(list(range(args.clients)), len(fleets.links))]

    def phase(self, rate: int, duration: float, tag: str) -> dict[str, object]:
        a = self.args
        count = max(1, round(rate * duration / a.events_per_container))
        containers = container_numbers("BNCU", self.serial, count)
        self.serial += count
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        events = lifecycle_events(containers, tag, a.events_per_container + 1, start)
        for per_container in events:  # the seed: the container must exist before a client subscribes
            key, value = per_container[0]
            self.producer.send(self.stack.events_topic, key=key, value=stamp(value, 1))
        self.producer.flush()
        support.wait_for(lambda: self.stack.check_alive() or  # type: ignore[func-returns-value]
                         support.count_containers(self.stack.database_url, containers) == count,
                         120, "seed events stored", every=0.5)
        messages = [{"container_no": containers[i % count]} for i in range(a.clients)]
        subscribers = [0] * count
        for i in range(a.clients):
            subscribers[i % count] += 1
        answers = self.fleets.call("subscribe", [{"messages": m} for m in split(messages, len(self.per_fleet))])
        refused = sum(x["not_found"] + x["timeout"] for x in answers)
        time.sleep(0.5)
        self.fleets.call("collect")
        self.observer.collect()
        order = [(i % count, 1 + i // count) for i in range(count * a.events_per_container)]
        sent: set[int] = set()
        pids = {"portal": [self.stack.processes["portal"].pid], "ingest": [self.stack.processes["ingest"].pid],
                "postgres": support.postgres_pids(self.stack.database_url),
                "broker": support.broker_pid(self.stack.bootstrap), "clients": self.fleets.pids,
                "observer": [self.observer.process.pid], "bench": [os.getpid()]}
        cpu0 = {k: support.cpu_of(v) for k, v in pids.items()}
        busy0, t0_all = support.machine_busy()
        t0 = time.monotonic()
        for i, (c, k) in enumerate(order):
            pause = t0 + i / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            key, value = events[c][k]
            sent_ns = time.time_ns()
            self.producer.send(self.stack.events_topic, key=key, value=stamp(value, sent_ns))
            sent.add(sent_ns)
        send_seconds = time.monotonic() - t0
        self.producer.flush()
        expected = sum(subscribers[c] for c, _ in order)
        deadline = time.monotonic() + a.drain_timeout
        while time.monotonic() < deadline:
            if sum(x["stamps"] for x in self.fleets.call("count")) >= expected:
                break
            time.sleep(0.25)
        wall = time.monotonic() - t0
        cpu1 = {k: support.cpu_of(v) for k, v in pids.items()}
        cpu = {k: 100 * sum(cpu1[k][p] - cpu0[k][p] for p in cpu1[k] if p in cpu0[k]) / wall for k in pids}
        busy1, t1_all = support.machine_busy()
        cpu["machine"] = 100 * (busy1 - busy0) / max(1, t1_all - t0_all) * (os.cpu_count() or 1)
        client = [(r - s) / 1e6 for x in self.fleets.call("collect") for s, r in pairs(x["stamps"]) if s in sent]
        broker, feed = self.observer.collect()
        stages = {"broker": [(r - s) / 1e6 for s, r, _ in broker if s in sent],
                  "feed write": [ts - s / 1e6 for s, _, ts in feed if s in sent],
                  "feed read": [(r - s) / 1e6 for s, r, _ in feed if s in sent], "client": client}
        self.stack.check_alive()
        return {"rate": rate, "achieved_rate": len(order) / send_seconds, "events": len(order),
                "containers": count, "refused_subscriptions": refused, "expected": expected,
                "delivered": len(client), "cpu_percent": cpu,
                **{f"{name} p50": percentile(v, 50) for name, v in stages.items()},
                **{f"{name} p99": percentile(v, 99) for name, v in stages.items()},
                **{f"{name} max": max(v, default=float("nan")) for name, v in stages.items()}}


def split(items: list, parts: int) -> list[list]:  # type: ignore[type-arg]
    size = -(-len(items) // parts)
    return [items[i * size:(i + 1) * size] for i in range(parts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000, help="connected Socket.IO clients (default 1000)")
    parser.add_argument("--client-processes", type=int, default=2, help="processes holding them (default 2)")
    parser.add_argument("--rates", default="200,1000", help="events per second, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of sending per phase")
    parser.add_argument("--events-per-container", type=int, default=10, help="measured events per container")
    parser.add_argument("--rounds", type=int, default=3, help="phases per rate, interleaved (medians)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of an unrecorded first phase")
    parser.add_argument("--batch-seconds", type=float, default=0.02, help="CLEARANCE_BATCH_SECONDS of ingest")
    parser.add_argument("--drain-timeout", type=float, default=30.0, help="seconds to wait for stragglers")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--profile-ingest", type=Path, metavar="FILE",
                        help="run the ingest worker under cProfile (slower!), print where its time went")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs in data/bench/")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    nofile = support.raise_nofile(args.clients + 4096)
    info = support.machine() | {"postgres": support.postgres_version(args.database_url)}
    print(json.dumps(info))
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test", Path.home() / ".cache/clearance/kafka")
    url = support.reset_schema(args.database_url, "bench_live")
    tokens = support.add_accounts(url, ACCOUNTS)
    stack = Stack(bootstrap, url, support.workdir("live-latency"), batch_seconds=args.batch_seconds)
    stack.topics()
    fleets = observer = None
    try:
        stack.ingest(profile=args.profile_ingest)
        _, base = stack.portal()
        observer = Observer(bootstrap, stack.events_topic, stack.updates_topic)
        fleets = Fleets(args.client_processes, "127.0.0.1", int(base.rsplit(":", 1)[1]), nofile)
        names = list(tokens)
        all_tokens = [tokens[names[i % len(names)]] for i in range(args.clients)]
        connected = fleets.call("connect", [{"tokens": t} for t in split(all_tokens, args.client_processes)])
        print(f"connected {sum(c['connected'] for c in connected)} clients "
              f"({sum(c['failed'] for c in connected)} failed) in {max(c['seconds'] for c in connected):.1f}s")
        run = Run(args, stack, fleets, observer)
        if args.warmup:
            run.phase(rates[0], args.warmup, "warmup")
        results: list[dict[str, object]] = []
        for round_no in range(args.rounds):
            for rate in rates:
                result = run.phase(rate, args.duration, f"r{round_no}-{rate}")
                results.append(result)
                print(f"round {round_no + 1} {rate}/s: " + ", ".join(
                    f"{s} {result[f'{s} p50']:.1f}/{result[f'{s} p99']:.1f}" for s in STAGES)
                    + f" ms (p50/p99); delivered {result['delivered']}/{result['expected']}; cpu% "
                    + " ".join(f"{k} {v:.0f}" for k, v in result["cpu_percent"].items()), flush=True)  # type: ignore[union-attr]
        open_now = sum(x["open"] for x in fleets.call("count"))
        report(results, rates, open_now, args)
        if args.json:
            args.json.write_text(json.dumps({"machine": info, "args": vars(args) | {"json": str(args.json)},
                                             "results": results}, indent=1, default=str))
    finally:
        if fleets:
            fleets.close()
        if observer:
            observer.close()
        stack.stop()
        stack.cleanup(args.keep)
        broker_cleanup()
    if args.profile_ingest:
        ingest_profile(args.profile_ingest)


INGEST_PARTS = (("IngestWorker.flush (a batch, after the poll that closed it)", "ingest/runner.py", "flush"),
                ("  triage (decode, validate)", "ingest/triage.py", "triage"),
                ("  store: store_events + commit (PostgreSQL)", "ingest/runner.py", "_store"),
                ("    of which rebuild_containers", "models/operations.py", "rebuild_containers"),
                ("    of which the COMMIT", "sqlalchemy/orm/session.py", "commit"),
                ("  change feed: send, flush, wait for acks=all", "ingest/change_feed.py", "publish"),
                ("  commit the Kafka offsets", "ingest/runner.py", "_commit"),
                ("KafkaConsumer.poll (waiting for messages and the batch deadline)", "kafka/consumer/group.py", "poll"))


def ingest_profile(path: Path) -> None:
    """Wall-clock seconds (cProfile's timer) the ingest worker spent in each part of its loop."""
    import pstats
    stats = pstats.Stats(str(path))
    batches = sum(v[1] for (f, _, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                  if f.endswith("ingest/runner.py") and fn == "flush")
    print(f"\ningest worker under cProfile: {batches} batches; wall seconds per part (ms per batch)")
    for label, suffix, name in INGEST_PARTS:
        spent = sum(v[3] for (f, _, fn), v in stats.stats.items()  # type: ignore[attr-defined]
                    if f.endswith(suffix) and fn == name)
        print(f"  {label:66} {spent:8.1f} s {1000 * spent / max(1, batches):8.1f}")


def report(results: list[dict[str, object]], rates: list[int], open_now: int, args: argparse.Namespace) -> None:
    print(f"\n{args.clients} clients ({open_now} still connected at the end), medians of {args.rounds} rounds, ms")
    print(f"{'rate':>6} {'stage':>10} {'p50':>8} {'p99':>8}   p99 per round")
    for rate in rates:
        mine = [r for r in results if r["rate"] == rate]
        for stage in STAGES:
            p99s = [float(r[f"{stage} p99"]) for r in mine]  # type: ignore[arg-type]
            p50 = statistics.median(float(r[f"{stage} p50"]) for r in mine)  # type: ignore[arg-type]
            print(f"{rate:>6} {stage:>10} {p50:8.1f} {statistics.median(p99s):8.1f}   "
                  + ", ".join(f"{v:.1f}" for v in p99s))
        lost = sum(int(r["expected"]) - int(r["delivered"]) for r in mine)  # type: ignore[call-overload]
        print(f"{'':>6} {'':>10} achieved {statistics.median(float(r['achieved_rate']) for r in mine):.0f}/s, "  # type: ignore[arg-type]
              f"{mine[0]['containers']} containers, undelivered {lost}")


if __name__ == "__main__":
    main()
