"""A large synthetic `visit_milestones` (with the `containers` and `container_visits` rows its foreign key
needs), generated directly and bulk-loaded with COPY, for the figures benchmark (bench/stats_query.py).

Visits are drawn (seeded) around a port's usual stage durations, spread over `days` days up to now: 55 %
import, four terminals, 2,000 enterprises, 300 brokers; 1 % still open, 0.5 % without a start, 0.2 %
ending before they start. Secondary indexes and foreign keys are dropped during the load and made
again after; `layout="time"` then rewrites visit_milestones in the order of each visit's last milestone.
"""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import support
from fill import number

from models.db import make_engine
from models.milestones import MILESTONE_COLUMNS

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


MILESTONE_COPY = ["container_no", "visit_key", "direction", "terminal", "enterprise_uscc", "declarant_uscc", "lane",
                  "inspected", "abnormal_inspection", "held", "active_holds", "size", "current_type",
                  "last_event_at", *MILESTONES]
COPY_STATEMENTS = {
    "containers": "COPY containers (container_no, version, state_hash) FROM STDIN",
    "container_visits": "COPY container_visits (container_no, visit_key, direction, vessel_imo, voyage, terminal, "
                        "enterprise_uscc, declarant_uscc, current_type, started_at, last_event_at, state) FROM STDIN",
    "visit_milestones": f"COPY visit_milestones ({', '.join(MILESTONE_COPY)}) FROM STDIN",
}


def fill(url: str, count: int, days: int, now: datetime, layout: str) -> float:
    """COPY the visits into the empty, migrated schema; returns seconds."""
    started = time.perf_counter()
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET synchronous_commit = off")
        dropped = drop_secondary(cur)
        copy_tables(cur, count, days, now)
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


def copy_tables(cur: Any, count: int, days: int, now: datetime) -> None:
    """The three tables' COPY text is spooled to files first (one pass of the generator), then sent."""
    spool = support.workdir("stats-query")
    spool.mkdir(parents=True, exist_ok=True)
    files = [open(spool / f"{table}.copy", "w+", encoding="utf-8") for table in TABLES]  # noqa: SIM115
    for lines in rows(count, days, now):
        for file, line in zip(files, lines):
            file.write(line)
    for file, table in zip(files, TABLES):
        file.seek(0)
        with cur.copy(COPY_STATEMENTS[table]) as copy:
            while block := file.read(1 << 22):
                copy.write(block)
        file.close()
        Path(file.name).unlink()
    spool.rmdir()


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
