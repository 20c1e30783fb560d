"""`clearance run`: the whole system on this machine — local broker, database, ingest workers, the portal
and the simulator — with live progress. Ctrl-C stops what it started."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from sqlalchemy.orm import Session, sessionmaker

from clearance.commands.kafka import local_broker
from clearance.config import Settings, pipeline_topics
from clearance.demo_accounts import DEMO_PASSWORD, ensure_demo_accounts
from clearance.monitor import PipelineMonitor
from clearance.progress import ProgressLine
from events.kafka import ensure_topics
from models.db import make_engine, session_factory, upgrade


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("run", help="run everything: broker, database, workers, portal, simulator",
                                 description="Start the local Kafka broker (when KAFKA_BOOTSTRAP_SERVERS "
                                             "is on loopback), migrate the database, create the demo logins, "
                                             "start ingest workers, the portal and the simulator, and show "
                                             "live progress until Ctrl-C.")
    parser.add_argument("--workers", type=int, default=2, help="ingest worker processes (default 2)")
    parser.add_argument("--rate", type=float, default=100.0, help="simulated messages per second (default 100)")
    parser.add_argument("--count", type=int, default=1_000_000, help="simulated messages in all")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="simulator seed")
    parser.add_argument("--speed", type=float, default=60.0,
                        help="simulated stage durations divided by this (default 60: an hour a minute)")
    parser.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="stop after this long (default: until Ctrl-C)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    broker = local_broker(settings)
    print(f"Kafka: {broker.start(progress=print)}")
    upgrade(settings.database_url)
    print(f"Database: {settings.database_url}")
    ensure_topics(settings.kafka_bootstrap_servers, pipeline_topics(settings))
    engine = make_engine(settings.database_url)
    _print_logins(session_factory(engine), settings)
    children = _start_children(args)
    monitor = PipelineMonitor(settings, session_factory(engine))
    progress = ProgressLine("pipeline", stream=sys.stdout, log_every=2.0)
    stop_at = time.monotonic() + args.duration if args.duration else None
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        while stop_at is None or time.monotonic() < stop_at:
            progress.show(monitor.status())
            if any(c.poll() not in (None, 0) for c in children):
                print("\na child process failed; stopping", file=sys.stderr)
                return 1
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        progress.close()
        _stop_children(children)
        print(monitor.status().line())
        monitor.close()
        engine.dispose()
    print("Stopped the workers, the portal and the simulator; the broker keeps running (`clearance kafka stop`).")
    return 0


def _print_logins(sessions: sessionmaker[Session], settings: Settings) -> None:
    with sessions() as session:
        accounts = ensure_demo_accounts(session)
        session.commit()
    print(f"Portal: http://{settings.portal_host}:{settings.portal_port}/  — demo logins "
          f"(password {DEMO_PASSWORD!r}):")
    for account in accounts:
        print(f"  {account.name:18} {account.role.value:12} {account.uscc or account.terminal or 'all'}  {account.what}")


def _start_children(args: argparse.Namespace) -> list[subprocess.Popen[bytes]]:
    me = [sys.executable, "-m", "clearance.cli"]
    env = dict(os.environ)
    children = [subprocess.Popen([*me, "ingest", "--quiet"], env=env | {"CLEARANCE_INSTANCE_ID": f"ingest-{n}"})
                for n in range(1, args.workers + 1)]
    children.append(subprocess.Popen([*me, "portal"], env=env, stdout=subprocess.DEVNULL))
    children.append(subprocess.Popen([*me, "simulate", "--quiet", "--rate", str(args.rate), "--count",
                                      str(args.count), "--seed", str(args.seed), "--speed", str(args.speed)],
                                     env=env))
    return children


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
