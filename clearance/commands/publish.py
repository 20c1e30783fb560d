"""`clearance publish FILE`: publish events from a JSON-lines file (or - for standard input)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from clearance.config import Settings
from events.codec import InvalidEvent, encode, from_document, message_key
from events.kafka import make_producer


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish", help="publish events from a JSON-lines file to CLEARANCE_EVENTS_TOPIC",
        description="Each line is one event object of the contract (docs/contract.md). Every line is "
                    "checked first; invalid lines are listed with their line number and reasons and "
                    "nothing is sent unless --skip-invalid is given.")
    parser.add_argument("file", help="JSON-lines file, or - for standard input")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="send the valid lines even when some are invalid (exit status stays 1)")
    parser.add_argument("--raw", action="store_true",
                        help="send every line as it is, unchecked (for testing the dead-letter path)")
    parser.set_defaults(handler=_publish)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    if args.file == "-":
        return publish_lines(sys.stdin, args, settings)
    try:
        with open(args.file, encoding="utf-8") as lines:
            return publish_lines(lines, args, settings)
    except OSError as exc:
        print(f"clearance publish: {exc}", file=sys.stderr)
        return 2


def publish_lines(lines: TextIO, args: argparse.Namespace, settings: Settings) -> int:
    messages, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if args.raw:
            messages.append((None, line.rstrip("\n").encode()))
            continue
        try:
            event = from_document(json.loads(line))
            messages.append((message_key(event), encode(event)))
        except (json.JSONDecodeError, InvalidEvent) as exc:
            problems.append(f"line {number}: {exc}")
    for problem in problems:
        print(f"clearance publish: {problem}", file=sys.stderr)
    if problems and not args.skip_invalid:
        print(f"clearance publish: {len(problems)} invalid line(s); nothing sent", file=sys.stderr)
        return 1
    producer = make_producer(settings.kafka_bootstrap_servers)
    try:
        futures = [producer.send(settings.events_topic, key=k, value=v) for k, v in messages]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    print(f"published {len(messages)} event(s) to {settings.events_topic}")
    return 1 if problems else 0
