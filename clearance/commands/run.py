"""`clearance run`: the whole system on this machine — Kafka, database, ingest workers, the portal and the
simulator — behind one status line. The processes' output goes to log files in the data folder (the
terminal with --verbose); Ctrl-C stops what it started."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clearance.broker import BrokerError
from clearance.broker.proc import port_open
from clearance.broker.runtime import broker_answers
from clearance.commands.kafka import local_broker
from clearance.config import Settings, pipeline_topics
from clearance.demo_accounts import DEMO_PASSWORD, ensure_demo_accounts
from clearance.history import demo_stream, publish_history, simulate_args
from clearance.kafka_logging import tame_kafka_logs
from clearance.monitor import PipelineMonitor
from clearance.processes import ChildProcess, start_child, stop_children
from clearance.progress import ProgressLine
from events.kafka import ensure_topics
from models.db import make_engine, session_factory, upgrade

STATUS_EVERY_SECONDS = 5.0  # when stdout is not a terminal: a status line this often


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run", help="run everything: broker, database, workers, portal, simulator",
        description="Use the Kafka broker at KAFKA_BOOTSTRAP_SERVERS when one answers there, else start the "
                    "project's local broker (loopback only); migrate the database, create the demo logins, "
                    "start ingest workers and the portal. On a database without events it first publishes "
                    "the simulated port's last --history-days days at once, with a progress bar, and waits "
                    "until they are stored, so the dashboard has figures; then the simulator goes on live: "
                    "the same stream, each event published when its moment comes. Prints the portal's URL "
                    "and logins once, then one status line until Ctrl-C: events stored (per second), "
                    "containers, lag, live clients, dead letters (with the latest reason). The processes' "
                    "output goes to <CLEARANCE_DATA_DIR>/logs/ (ingest-N.log, portal.log, simulate.log, run.log).")
    parser.add_argument("--workers", type=int, default=2, help="ingest worker processes (default 2)")
    parser.add_argument("--history-days", type=float, default=30.0, metavar="DAYS",
                        help="days of history published first, on a database without events (default 30)")
    parser.add_argument("--no-history", action="store_true", help="publish no history: go live at once")
    parser.add_argument("--live-days", type=float, default=7.0, metavar="DAYS",
                        help="how long the live stream lasts before the simulator stops (default 7)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="messages per second at most while publishing what is due, the history "
                             "first (default 0: as fast as possible)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="simulator seed")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="stage durations divided by this (default 1: real hours; 60 makes an hour a "
                             "minute, and every clearance time on the dashboard 60 times shorter)")
    parser.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="stop this long after going live (default: until Ctrl-C)")
    parser.add_argument("--verbose", action="store_true",
                        help="show the processes' output (log lines, dead-letter warnings) on the terminal "
                             "instead of the log files, with a status line every few seconds")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    log_dir = None if args.verbose else _log_to_files(settings)
    try:
        print(f"Kafka: {_broker(settings)}")
    except BrokerError as exc:
        print(f"clearance run: {exc}", file=sys.stderr)
        return 1
    upgrade(settings.database_url)
    print(f"Database: {settings.database_url}")
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    engine = make_engine(settings.database_url)
    _print_logins(session_factory(engine), settings)
    print(f"Logs: {log_dir}/ (ingest-N.log, portal.log, simulate.log, run.log; --verbose shows them here)"
          if log_dir else "Logs: on this terminal (--verbose)", flush=True)
    children = _start_children(args, settings, log_dir)
    monitor = PipelineMonitor(settings, session_factory(engine))
    progress = ProgressLine("run", stream=sys.stdout, log_every=STATUS_EVERY_SECONDS,
                            live=False if args.verbose else None)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    failed = None
    try:
        children.append(_go_live(args, settings, monitor, _history_days(args, monitor), log_dir))
        failed = _watch(children, monitor, progress, time.monotonic() + args.duration if args.duration else None)
    except KeyboardInterrupt:
        pass
    finally:
        # The children first: a closed terminal (SIGHUP) or a reader gone makes every print below fail,
        # and nothing that fails may leave the workers and the portal running.
        stop_children(children)
        _tolerating_closed_output(lambda: _finish(progress, failed, monitor))
        monitor.close()
        engine.dispose()
    _tolerating_closed_output(lambda: print(
        "Stopped the workers, the portal and the simulator" +
        ("; the local broker keeps running (`clearance kafka stop`)." if _local_broker_runs(settings) else ".")))
    return 0 if failed is None else 1


def _finish(progress: ProgressLine, failed: Any, monitor: PipelineMonitor) -> None:
    progress.close()
    if failed is not None:
        _report_failure(failed)
    print(f"Final: {monitor.status().line()}", flush=True)


def _tolerating_closed_output(say: Callable[[], None]) -> None:
    """Print, unless the terminal or the pipe we print to is gone (then the rest is in the log files)."""
    try:
        say()
    except OSError as exc:  # BrokenPipeError, or EIO from a terminal that was closed
        logging.getLogger(__name__).info("output closed (%s); stopped all the same", exc)


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _log_to_files(settings: Settings) -> Path:
    """`<data>/logs`, with this process's own log records (the monitor's Kafka clients) in run.log."""
    log_dir = Path(settings.data_dir) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.log_level, filename=log_dir / "run.log", force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tame_kafka_logs(logging.getLogger().level)
    return log_dir


def _broker(settings: Settings) -> str:
    """A broker that already answers at KAFKA_BOOTSTRAP_SERVERS (the tests', a production one, ours from
    an earlier run), else the local broker started now."""
    bootstrap = settings.kafka_bootstrap_servers
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if port_open(host, int(port)) and broker_answers(bootstrap, timeout=10.0):
        return f"{bootstrap} (answering already: using it)"
    return f"{local_broker(settings).start(progress=print)} (the local broker, started now)"


def _local_broker_runs(settings: Settings) -> bool:
    try:
        return local_broker(settings).status().running
    except BrokerError:  # not on loopback: never ours
        return False


def _print_logins(sessions: sessionmaker[Session], settings: Settings) -> None:
    with sessions() as session:
        accounts = ensure_demo_accounts(session)
        session.commit()
    print(f"Portal: http://{settings.portal_host}:{settings.portal_port}/  — demo logins "
          f"(password {DEMO_PASSWORD!r}):")
    for account in accounts:
        bound_to = account.uscc or account.terminal or "all"
        print(f"  {account.name:18} {account.role.value:12} {bound_to:19} {account.what}")


def _start_children(args: argparse.Namespace, settings: Settings, log_dir: Path | None) -> list[ChildProcess]:
    me = [sys.executable, "-m", "clearance.cli"]
    env = dict(os.environ)
    children = [start_child(f"ingest-{n}", [*me, "ingest", "--quiet"], env | _worker_env(settings, n), log_dir)
                for n in range(1, args.workers + 1)]
    children.append(start_child("portal", [*me, "portal"], env, log_dir))
    children.append(start_child("alerts", [*me, "alerts"], env | _alerts_env(settings, args.workers), log_dir))
    return children


def _worker_env(settings: Settings, n: int) -> dict[str, str]:
    """What worker n is told beside the environment: its static group membership and, when
    CLEARANCE_METRICS_PORT is set, a metrics port of its own (the port + n - 1; 0 stays any free port)."""
    env = {"CLEARANCE_INSTANCE_ID": f"ingest-{n}"}
    if settings.metrics_port is not None:
        env["CLEARANCE_METRICS_PORT"] = str(settings.metrics_port and settings.metrics_port + n - 1)
    return env


def _alerts_env(settings: Settings, workers: int) -> dict[str, str]:
    """What the overdue watcher is told beside the environment: CLEARANCE_ALERTS_METRICS_PORT as given,
    else, when the workers have ports (CLEARANCE_METRICS_PORT), the one after theirs (0 stays any free
    port), so that every process of the run can be watched."""
    if settings.alerts_metrics_port is not None or settings.metrics_port is None:
        return {}
    return {"CLEARANCE_ALERTS_METRICS_PORT": str(settings.metrics_port and settings.metrics_port + workers)}


def _history_days(args: argparse.Namespace, monitor: PipelineMonitor) -> float:
    """--history-days on a database without events; none with --no-history or events stored already
    (a restarted demo goes on from what it has)."""
    if args.no_history or args.history_days <= 0:
        return 0.0
    if monitor.status().stored > 0:
        print("History: the database holds events already; going live without publishing any")
        return 0.0
    return float(args.history_days)


def _go_live(args: argparse.Namespace, settings: Settings, monitor: PipelineMonitor, history_days: float,
             log_dir: Path | None) -> ChildProcess:
    """Publish the history (if any) with a progress bar, then start the simulator on the rest of the
    same stream, following the clock."""
    now = datetime.now(UTC)
    config = demo_stream(now, args.seed, history_days, args.live_days, args.speed)
    sent = 0
    if history_days:
        bar = ProgressLine("history", stream=sys.stdout, log_every=STATUS_EVERY_SECONDS,
                           live=False if args.verbose else None)
        try:
            sent = publish_history(settings, config, now - timedelta(days=history_days), monitor, bar, args.rate)
        finally:
            bar.close()
        print(f"History: {sent:,} messages, {history_days:g} days to now; live from here on", flush=True)
    return start_child("simulate", [sys.executable, "-m", "clearance.cli", "simulate",
                                    *simulate_args(config, sent, args.rate)], dict(os.environ), log_dir)


def _watch(children: list[ChildProcess], monitor: PipelineMonitor, progress: ProgressLine,
           stop_at: float | None) -> ChildProcess | None:
    """Show the status every second until `stop_at`; returns the first child that failed, if one does."""
    while stop_at is None or time.monotonic() < stop_at:
        progress.show(monitor.status())
        failed = next((child for child in children if child.failed()), None)
        if failed is not None:
            return failed
        time.sleep(1.0)
    return None


def _report_failure(child: ChildProcess) -> None:
    where = f"; the last lines of {child.log_file}:\n{child.last_lines()}" if child.log_file else ""
    print(f"clearance run: {child.name} stopped with exit status {child.exit_status()}, stopping everything"
          f"{where}", file=sys.stderr)
