"""The overdue watcher on 100,000 open containers in PostgreSQL: how long one pass takes, and the delay
from a threshold crossing to the alert row and to a Socket.IO client's push.

    python bench/alert_watch.py [--containers 100000] [--passes 9] [--crossings 12]

1. `--containers` containers with one open visit each are written by COPY into containers,
   container_visits and visit_milestones of schema bench_alerts (wiped): a mix of export boxes at the
   gate, inspection orders and repositioned boxes of the last hours, imports arrived or released over the
   last 20 days, released exports their vessel left behind — so that a good share of them are past a
   warning or an alarm, as in a port with a backlog.
2. Pass time, in this process: a watcher's tick without the push (ingest.alert_watch), its first (it
   raises every alert of the backlog at once, then refreshes the statistics), then `--passes` steady ones
   two seconds of clock apart (new crossings only), each its own transaction; medians. The backlog's alerts are then marked pushed.
3. Crossing delay, real processes: `clearance alerts` (every 2 s) and `clearance portal` (gevent) on the
   same database, a python-socketio client of the port office subscribed to {"scope": "alerts"}. For each
   of `--crossings` probes, a new box's inspection order is written so that its warning threshold (30
   min) passes 2 to 4 s later, at a random phase of the watcher's tick; no event follows. The delays are
   from that moment to the alert row being committed (polled every 20 ms) and to the client's `update`.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import socketio  # python-socketio's client
import support
from processes import Stack
from sqlalchemy import text

from events.kafka import ensure_topics
from ingest.alert_watch import AlertWatcher
from models.db import make_engine, session_factory
from models.user import Role
from tests.support.http import free_port
from tests.support.kafka import find_broker

TERMINALS = ("YTCT", "YTGD", "YTDG", "YTXW")
USCCS = (support.ENTERPRISE, support.OTHER_ENTERPRISE)
MILESTONE_COLUMNS = ("gate_in_at", "inspection_ordered_at", "repositioned_at", "vessel_arrived_at", "discharged_at",
                     "customs_released_at", "vessel_departed_at")
COLUMNS = ("container_no", "visit_key", "direction", "terminal", "enterprise_uscc", "lane", "inspected",
           "abnormal_inspection", "held", "active_holds", "size") + MILESTONE_COLUMNS


def visit(number: str, kind: int, now: datetime, rng: random.Random) -> tuple[str, dict[str, datetime]]:
    """(direction, milestones) of one open visit; `kind` picks the mix (of 20)."""
    def ago(hours: float) -> datetime:
        return (now - timedelta(hours=rng.uniform(0, hours))).replace(tzinfo=None)
    if kind < 6:
        return "EXPORT", {"gate_in_at": ago(48)}
    if kind < 8:
        return "EXPORT", {"gate_in_at": ago(48), "inspection_ordered_at": ago(3)}
    if kind < 9:
        moved = ago(5)
        return "EXPORT", {"inspection_ordered_at": moved - timedelta(minutes=20), "repositioned_at": moved}
    arrived = ago(20 * 24)
    if kind < 14:
        return "IMPORT", {"vessel_arrived_at": arrived, "discharged_at": arrived + timedelta(hours=2)}
    if kind < 19:
        return "IMPORT", {"vessel_arrived_at": arrived, "customs_released_at": arrived + timedelta(hours=30)}
    return "EXPORT", {"customs_released_at": ago(72), "vessel_departed_at": ago(24)}


def fill(url: str, count: int, now: datetime, first: int = 0, rng: random.Random | None = None) -> list[str]:
    """Write `count` containers with one open visit each (COPY); returns their numbers."""
    rng = rng or random.Random(42)
    numbers = support.container_numbers("BNCU", first, count)
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY containers (container_no, version, state_hash) FROM STDIN") as copy:
            for number in numbers:
                copy.write_row((number, 1, ""))
        rows = []
        for i, number in enumerate(numbers):
            direction, milestones = visit(number, i % 20, now, rng)
            rows.append((number, f"{direction}/9074729/024E", direction, TERMINALS[i % 4], USCCS[i % 2], "normal",
                         False, False, False, 0, (20, 40, 45)[i % 3], *(milestones.get(c) for c in MILESTONE_COLUMNS)))
        with cursor.copy("COPY container_visits (container_no, visit_key, direction, terminal, enterprise_uscc, "
                         "state) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:4], row[4], "{}"))
        with cursor.copy(f"COPY visit_milestones ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
        cursor.execute("ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return numbers


def time_passes(url: str, now: datetime, passes: int) -> dict[str, object]:
    engine = make_engine(url)
    clock = [now]
    watcher = AlertWatcher(session_factory(engine), None, "unused", clock=lambda: clock[0])  # no push here
    timings, raised = [], []
    try:
        for n in range(passes + 1):
            clock[0] = now + timedelta(seconds=2 * n)
            started = time.perf_counter()
            tick = watcher.tick()
            timings.append(time.perf_counter() - started)
            raised.append(tick.raised)
        with engine.begin() as connection:
            open_alerts = connection.execute(text("SELECT count(*) FROM alerts WHERE state <> 'CLEARED'")).scalar_one()
            # the backlog counts as pushed: the crossings below time one alert each, not a flood of 40,000
            connection.execute(text("UPDATE alerts SET pushed = true"))
    finally:
        engine.dispose()
    steady = timings[1:]
    return {"first pass s": round(timings[0], 3), "first pass raised": raised[0],
            "steady pass median s": round(statistics.median(steady), 3), "steady pass max s": round(max(steady), 3),
            "steady passes raised": raised[1:], "standing alerts": open_alerts, "steady runs s": [round(t, 3) for t in steady]}


class Pushes:
    """A port-office python-socketio client of /live subscribed to alerts: container_no -> first arrival."""

    def __init__(self, base: str, token: str) -> None:
        self.arrived: dict[str, float] = {}
        self.client = socketio.Client(reconnection=False)
        self.subscribed = threading.Event()
        self.client.on("snapshot", lambda body: self.subscribed.set(), namespace="/live")
        self.client.on("update", self._update, namespace="/live")
        self.client.connect(base, namespaces=["/live"], transports=["websocket"], auth={"token": token})
        self.client.emit("subscribe", {"scope": "alerts"}, namespace="/live")
        if not self.subscribed.wait(30):
            raise RuntimeError("no alerts snapshot")

    def _update(self, body: dict) -> None:  # type: ignore[type-arg]
        self.arrived.setdefault(body["alert"]["container_no"], time.time())

    def close(self) -> None:
        self.client.disconnect()


def alert_committed(url: str, container_no: str, timeout: float = 30.0) -> float:
    engine = make_engine(url)
    deadline = time.time() + timeout
    try:
        with engine.connect() as connection:
            while time.time() < deadline:
                found = connection.execute(text("SELECT 1 FROM alerts WHERE container_no = :c"),
                                           {"c": container_no}).first()
                connection.commit()
                if found:
                    return time.time()
                time.sleep(0.02)
    finally:
        engine.dispose()
    raise TimeoutError(f"no alert for {container_no}")


def crossings(url: str, base: str, token: str, count: int) -> dict[str, object]:
    rng = random.Random(7)
    pushes = Pushes(base, token)
    to_row, to_push = [], []
    try:
        for n in range(count):
            crossing = time.time() + rng.uniform(2.0, 4.0)
            probe = support.container_numbers("PRBU", n, 1)[0]
            ordered = datetime.fromtimestamp(crossing, UTC) - timedelta(minutes=30)
            _probe(url, probe, ordered)
            row_at = alert_committed(url, probe)
            support.wait_for(lambda: probe in pushes.arrived, 30, f"the push of {probe}", every=0.01)
            to_row.append(row_at - crossing)
            to_push.append(pushes.arrived[probe] - crossing)
            print(f"crossing {n + 1}: row +{to_row[-1]:.2f} s, push +{to_push[-1]:.2f} s", flush=True)
            time.sleep(rng.uniform(0, 2))
    finally:
        pushes.close()
    return {"crossing -> row median s": round(statistics.median(to_row), 2), "crossing -> row max s": round(max(to_row), 2),
            "crossing -> push median s": round(statistics.median(to_push), 2),
            "crossing -> push max s": round(max(to_push), 2), "crossings": count}


def _probe(url: str, number: str, ordered: datetime) -> None:
    """One export box whose inspection was ordered at `ordered`: its warning passes 30 min later."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO containers (container_no, version, state_hash) VALUES (:c, 1, '')"),
                               {"c": number})
            connection.execute(text("INSERT INTO container_visits (container_no, visit_key, direction, terminal, state) "
                                    "VALUES (:c, 'EXPORT/9074729/024E', 'EXPORT', 'YTCT', '{}')"), {"c": number})
            connection.execute(text(
                "INSERT INTO visit_milestones (container_no, visit_key, direction, terminal, lane, inspected, "
                "abnormal_inspection, held, active_holds, size, inspection_ordered_at) VALUES (:c, "
                "'EXPORT/9074729/024E', 'EXPORT', 'YTCT', 'normal', true, false, false, 0, 40, :at)"),
                {"c": number, "at": ordered.replace(tzinfo=None)})
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--containers", type=int, default=100_000)
    parser.add_argument("--passes", type=int, default=9, help="steady passes timed (median)")
    parser.add_argument("--crossings", type=int, default=12, help="threshold crossings timed with real processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", support.BENCH_DB))
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs in data/bench/")
    args = parser.parse_args()
    info = support.machine() | {"postgres": support.postgres_version(args.database_url)}
    print(json.dumps(info), flush=True)
    url = support.reset_schema(args.database_url, "bench_alerts")
    now = datetime.now(UTC)
    started = time.perf_counter()
    fill(url, args.containers, now)
    print(f"filled {args.containers} open containers in {time.perf_counter() - started:.1f} s", flush=True)
    result: dict[str, object] = {"containers": args.containers} | time_passes(url, now, args.passes)
    print(json.dumps(result), flush=True)
    bootstrap, broker_cleanup = find_broker(support.ROOT / "data" / "kafka-test", Path.home() / ".cache/clearance/kafka")
    stack = Stack(bootstrap, url, support.workdir("alert-watch"))
    topic = {"CLEARANCE_ALERTS_TOPIC": f"bench.{stack.tag}.alerts"}
    ensure_topics(bootstrap, {topic["CLEARANCE_ALERTS_TOPIC"]: 1})
    token = support.add_accounts(url, {"office": (Role.PORT_OFFICE, None, None)})["office"]
    try:
        stack.start("alerts", ["-m", "clearance.cli", "alerts"], **topic)
        base = _portal(stack, topic)
        result |= crossings(url, base, token, args.crossings)
    finally:
        stack.stop()
        stack.cleanup(args.keep)
        broker_cleanup()
    print(json.dumps(result))


def _portal(stack: Stack, extra: dict[str, str]) -> str:
    """`clearance portal` reading the bench's alerts topic (Stack.portal takes no extra environment)."""
    port = free_port()
    stack.start("portal", ["-m", "clearance.cli", "portal"], PORTAL_HOST="127.0.0.1", PORTAL_PORT=str(port), **extra)
    base = f"http://127.0.0.1:{port}"
    stack.wait_http(f"{base}/login")
    return base


if __name__ == "__main__":
    main()
