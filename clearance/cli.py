"""The `clearance` command: one entry point, a subcommand per job, `--help` on each."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from clearance.commands import (alerts, audit, db, dlq, ingest, kafka, portal, publish, run, show, simulate, tokens,
                                users)
from clearance.config import ConfigError, from_environ
from clearance.kafka_logging import tame_kafka_logs

COMMANDS = (kafka, db, ingest, simulate, publish, show, run, users, tokens, portal, alerts, dlq, audit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clearance",
        description="Customs clearance status visibility for Yantai port (CNYNT): Kafka ingest, storage, "
                    "simulator. Configuration comes from the environment (see README).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = from_environ()
    except ConfigError as exc:
        print(f"clearance: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tame_kafka_logs(logging.getLogger().level)
    try:
        return int(args.handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
