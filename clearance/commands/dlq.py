"""`clearance dlq list|show|replay`: the dead-letter topic, for operators (clearance.dlq)."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from kafka.errors import KafkaError
from sqlalchemy.exc import SQLAlchemyError

from clearance.commands import operator_name
from clearance.config import Settings
from clearance.dlq import render
from clearance.dlq.history import load_history
from clearance.dlq.letters import LetterFilter, parse_position, parse_since
from clearance.dlq.reader import DeadLetterTopic, MissingLetters
from clearance.dlq.replay import already_replayed
from clearance.dlq.replay_run import replay

FILTERS_HELP = {
    "reason": "only letters of this reason code (as the ingest metrics count them: empty, too_large, "
              "not_utf8, not_json, not_object, bad_unicode, check_failed, database_refused, invalid_fields) "
              "or whose reason contains this (any case): a field name such as container_no, or words",
    "publisher": "only letters whose clearance-principal header (portal: role:binding:user) or whose "
                 "SOURCE/publisher (as the value names them, e.g. TERMINAL/YTCT) contains this (any case)",
    "since": "only letters dead-lettered at or after this: an ISO time (UTC unless it gives an offset, "
             "e.g. 2026-12-01T08:00+08:00) or a span back from now (90s, 30m, 2h, 3d, 1w)",
}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "dlq", help="list, show and replay dead letters (CLEARANCE_DLQ_TOPIC)",
        description="The dead-letter topic holds every message ingest refused, with its original key, bytes "
                    "and headers and the reason. Read without a consumer group: the workers' offsets are "
                    "never touched. A letter is named by its offset (PARTITION:OFFSET on another partition "
                    "than 0). Times are UTC.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _register_list(actions)
    _register_show(actions)
    _register_replay(actions)


def add_filters(parser: argparse.ArgumentParser) -> None:
    for name, text in FILTERS_HELP.items():
        parser.add_argument(f"--{name}", help=text)


def _register_list(actions: argparse._SubParsersAction) -> None:
    listing = actions.add_parser("list", help="a table of dead letters, newest last",
                                 description="One line per dead letter: offset, when, replayed or not, "
                                             "reason, publisher, key and the start of the value.")
    add_filters(listing)
    listing.add_argument("--not-replayed", action="store_true", help="leave out letters already replayed")
    listing.add_argument("--limit", type=_positive, default=50, help="show the newest N matching (default 50)")
    listing.add_argument("--json", action="store_true", help="a JSON array of every letter shown, for scripts")
    listing.set_defaults(handler=_guarded(_list))


def _register_show(actions: argparse._SubParsersAction) -> None:
    show = actions.add_parser("show", help="everything about one dead letter",
                              description="Its reason, where ingest read it, who published it, every "
                                          "header, the key, the value (pretty-printed when JSON) and its "
                                          "replays.")
    show.add_argument("offset", help="OFFSET, or PARTITION:OFFSET")
    show.add_argument("--json", action="store_true", help="the same as a JSON document")
    show.set_defaults(handler=_guarded(_show))


def _register_replay(actions: argparse._SubParsersAction) -> None:
    again = actions.add_parser(
        "replay", help="send chosen dead letters through the events topic again",
        description="Once the publisher fixed the cause, or the contract changed: each letter's original "
                    "key, bytes and headers go to CLEARANCE_EVENTS_TOPIC with a clearance-replay-of header "
                    "naming the letter; the workers check it like any message (one still invalid comes back "
                    "to the dead-letter topic). Each replay is recorded in the database; a letter already "
                    "replayed is skipped, so replaying twice changes nothing.")
    again.add_argument("offsets", nargs="*", metavar="OFFSET", help="OFFSET or PARTITION:OFFSET, one or more")
    again.add_argument("--matching", action="store_true",
                       help="instead of offsets, every letter the filters below pick (at least one is needed)")
    add_filters(again)
    again.add_argument("--dry-run", action="store_true", help="say what would be replayed; send and record nothing")
    again.add_argument("--again", action="store_true",
                       help="replay letters already replayed too (recorded as a further attempt)")
    again.add_argument("--by", default=None, help="the operator recorded with each replay (default: login name)")
    again.set_defaults(handler=_guarded(_replay))


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def filters_of(args: argparse.Namespace) -> LetterFilter:
    """The filters given; raises ValueError on a bad --since."""
    since = parse_since(args.since) if args.since else None
    return LetterFilter(reason=args.reason or None, publisher=args.publisher or None, since=since)


def _guarded(handler: Callable[[argparse.Namespace, Settings], int]) -> Callable[[argparse.Namespace, Settings], int]:
    """Bad arguments exit 2, missing letters 1, the broker or the database out of reach 1: with a message."""
    def run(args: argparse.Namespace, settings: Settings) -> int:
        command = f"clearance dlq {args.action}"
        if settings.log_level != "DEBUG":  # one line of ours says what went wrong, not the client's retries
            logging.getLogger("kafka").setLevel(logging.CRITICAL)
        try:
            return handler(args, settings)
        except ValueError as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            return 2
        except MissingLetters as exc:
            print(f"{command}: {exc}", file=sys.stderr)
            return 1
        except (KafkaError, TimeoutError) as exc:
            print(f"{command}: the broker at {settings.kafka_bootstrap_servers} refused or did not answer: {exc!r}",
                  file=sys.stderr)
            return 1
        except SQLAlchemyError as exc:
            print(f"{command}: database error (is the schema current? `clearance db upgrade`): "
                  f"{str(exc).splitlines()[0]}", file=sys.stderr)
            return 1
    return run


def _list(args: argparse.Namespace, settings: Settings) -> int:
    wanted = filters_of(args)
    history = load_history(settings)
    with DeadLetterTopic(settings.kafka_bootstrap_servers, settings.dlq_topic) as dlq:
        held = sum(end - first for first, end in dlq.bounds().values())
        matching = [letter for letter in dlq.scan(wanted.since) if wanted.matches(letter)
                    and not (args.not_replayed and already_replayed(history, letter))]
    matching.sort(key=lambda letter: (letter.at, letter.position))
    shown = matching[-args.limit:]
    if args.json:
        print(render.as_json([render.letter_json(letter, history.get(letter.position, [])) for letter in shown]))
        return 0
    if not held:
        print(f"the dead-letter topic {settings.dlq_topic} is empty: nothing was dead-lettered")
        return 0
    if not matching:
        print(f"no dead letter matches ({held:,} on {settings.dlq_topic})")
        return 0
    print("\n".join(render.table(shown, history)))
    more = f"; the newest {len(shown):,} shown (--limit)" if len(matching) > len(shown) else ""
    print(f"{len(matching):,} of {held:,} dead letters on {settings.dlq_topic} match{more}")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    position = parse_position(args.offset)
    with DeadLetterTopic(settings.kafka_bootstrap_servers, settings.dlq_topic) as dlq:
        letter = dlq.fetch([position])[position]
    replays = load_history(settings, [position]).get(position, [])
    if args.json:
        print(render.as_json(render.letter_json(letter, replays)))
    else:
        print("\n".join(render.page(letter, replays, settings.dlq_topic)))
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    wanted = filters_of(args)
    if args.matching == bool(args.offsets):
        raise ValueError("give either OFFSET… or --matching with filters, not both or neither")
    if args.matching and wanted.empty:
        raise ValueError("--matching needs --reason, --publisher or --since (to replay everything, "
                         "say --since with a span longer than the topic's retention, e.g. 52w)")
    if not args.matching and not wanted.empty:
        raise ValueError("--reason, --publisher and --since choose letters with --matching only")
    positions = [parse_position(text) for text in args.offsets]
    return replay(args, settings, wanted, positions, by=args.by or operator_name())
