"""Shared pieces of the portal benchmarks: the machine, the database, accounts with tokens, stamped
events, percentiles. The real processes (`clearance ingest`, `clearance portal`) are in processes.py.

Nothing here changes the project: it drives it from outside, as an operator would.
"""
from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text
from stdnum import iso6346

from events.codec import decode, encode, from_document, message_key
from models.db import make_engine, session_factory, upgrade
from models.user import Role, create_user, issue_token

BENCH_DB = "postgresql://clearance:clearance@127.0.0.1:5432/clearance_bench"
ENTERPRISE = "91370600MA3C7N8X1U"  # valid check character (tests.support.factories)
OTHER_ENTERPRISE = "91370602163047115J"
TERMINAL = "YTCT"
VESSEL, VOYAGE = "9074729", "024E"
STAMP = b'"sent_ns":1000000000000000000'  # placeholder replaced by time.time_ns() at send (19 digits)


# ----------------------------------------------------------------------------------------- machine
def machine() -> dict[str, str]:
    """What BENCHMARKS.md records about the run."""
    def run(*args: str) -> str:
        try:
            return subprocess.run(args, check=False, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return "?"
    import kafka

    from clearance.broker import DEFAULT_KAFKA_VERSION
    mem = run("free", "-h").splitlines()
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": run("nproc"),
            "memory": mem[1].split()[1] if len(mem) > 1 else "?", "python": platform.python_version(),
            "kafka": f"broker {DEFAULT_KAFKA_VERSION}, kafka-python {kafka.__version__}",
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "tree": run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
            + (" + uncommitted changes" if run("git", "-C", str(ROOT), "status", "--porcelain") else "")}


def postgres_version(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        version = connection.execute(text("show server_version")).scalar_one()
    engine.dispose()
    return f"PostgreSQL {version}"


def raise_nofile(wanted: int) -> int:
    """Raise RLIMIT_NOFILE (root may raise the hard limit too); children inherit it. Returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(wanted, soft), max(wanted, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(wanted, soft), hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def open_fds(pid: int) -> dict[str, int]:
    """Open file descriptors of a process by kind (socket, anon_inode:[eventpoll], pipe, file...)."""
    kinds: dict[str, int] = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = target.split(":[")[0] if not target.startswith("anon_inode") else target
        kind = kind if kind.startswith(("socket", "anon_inode", "pipe")) else "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds so far of each process still there."""
    out = {}
    for pid in pids:
        try:
            out[pid] = cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def postgres_pids(url: str) -> list[int]:
    """The server processes of every connection to this database (ingest's, the portal's)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        pids = connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    return [int(p) for p in pids]


def broker_pid(bootstrap: str) -> list[int]:
    """The local test broker's pid when that is the broker in use (it is shared with other test runs)."""
    pid_file = ROOT / "data" / "kafka-test" / "broker.pid"
    if bootstrap.endswith(":39092") and pid_file.exists():
        return [int(pid_file.read_text().split()[0])]
    return []


def median_table(rates: dict[str, list[float]], baseline: str, unit: str, versus: str) -> str:
    """One row a label: the median of its rounds, that median over the baseline's, and every round."""
    base = statistics.median(rates[baseline])
    width = max(len(label) for label in rates) + 1
    lines = [f"{'':{width}} {'median ' + unit:>16} {versus:>9}   rounds"]
    for label, values in rates.items():
        middle = statistics.median(values)
        lines.append(f"{label:{width}} {middle:16,.0f} {middle / base:9.2f}   " + ", ".join(f"{v:,.0f}" for v in values))
    return "\n".join(lines)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted values; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------------------- database
def checked_url(url: str) -> str:
    if url.rstrip("/").endswith("/clearance_test"):
        raise SystemExit("refusing to wipe clearance_test: the benchmarks use their own database")
    return url


def with_schema(url: str, schema: str) -> str:
    """The same database, with tables in `schema` (a search_path option on every connection)."""
    return url if schema == "public" else f"{url}?options={quote(f'-csearch_path={schema}')}"


def reset_schema(url: str, schema: str = "public") -> str:
    """Drop and recreate the schema, migrate it; returns the URL whose connections use it."""
    engine = make_engine(checked_url(url))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"'))
    engine.dispose()
    scoped = with_schema(url, schema)
    upgrade(scoped)
    return scoped


def add_accounts(url: str, wanted: dict[str, tuple[Role, str | None, str | None]]) -> dict[str, str]:
    """Users with one API token each: {name: token}."""
    engine = make_engine(url)
    tokens = {}
    with session_factory(engine)() as session:
        for name, (role, uscc, terminal) in wanted.items():
            user = create_user(session, name, role, uscc=uscc, terminal=terminal)
            tokens[name] = issue_token(session, user, "bench")[1]
        session.commit()
    engine.dispose()
    return tokens


# ------------------------------------------------------------------------------------- identifiers
def container_numbers(owner: str, first: int, count: int) -> list[str]:
    """`count` valid ISO 6346 numbers of owner code `owner` (4 letters), serials from `first`."""
    out = []
    for serial in range(first, first + count):
        stem = f"{owner}{serial:06d}"
        out.append(stem + iso6346.calc_check_digit(stem))
    return out


def stamped_event(container_no: str, event_id: str, type_: str, at: datetime,
                  uscc: str = ENTERPRISE) -> tuple[bytes, bytes]:
    """(key, value template) of a valid TERMINAL event carrying detail {"sent_ns": placeholder}; the
    template goes through the real contract once, then `stamp` fills in the send time."""
    document = {"schema_version": 1, "event_id": event_id, "source": "TERMINAL", "publisher": TERMINAL,
                "type": type_, "occurred_at": at.isoformat(), "direction": "EXPORT",
                "container_no": container_no, "enterprise_uscc": uscc, "vessel_imo": VESSEL,
                "voyage": VOYAGE, "terminal": TERMINAL, "detail": {"sent_ns": 10 ** 18}}
    value = encode(from_document(document))
    assert STAMP in value and decode(value).detail == {"sent_ns": 10 ** 18}
    return message_key(document) or b"", value


def stamp(template: bytes, sent_ns: int) -> bytes:
    return template.replace(STAMP, b'"sent_ns":%d' % sent_ns, 1)


LIFECYCLE = ("GATE_IN", "ARRIVAL_REPORTED", "REPOSITION_STARTED", "REPOSITIONED", "LOADED")


def lifecycle_events(container_nos: Iterable[str], tag: str, per_container: int,
                     start: datetime) -> list[list[tuple[bytes, bytes]]]:
    """For each container, `per_container` stamped events of one export visit (types cycle through
    LIFECYCLE, five minutes apart)."""
    return [[stamped_event(c, f"{tag}-{c}-{k}", LIFECYCLE[k % len(LIFECYCLE)], start + timedelta(minutes=5 * k))
             for k in range(per_container)] for c in container_nos]




def workdir(name: str) -> Path:
    return ROOT / "data" / "bench" / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"


def wait_for(condition, timeout: float, what: str, every: float = 0.2) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def count_containers(url: str, container_nos: Sequence[str]) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM containers WHERE container_no = ANY(:c)"),
                                   {"c": list(container_nos)}).scalar_one()
    engine.dispose()
    return int(found)


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat: the whole machine, other users included."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)
