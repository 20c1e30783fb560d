"""`clearance audit prune`: the audit log kept within its retention (CLEARANCE_AUDIT_RETENTION_DAYS), by
hand; the overdue watcher does the same once an hour (ingest.audit_prune)."""
from __future__ import annotations

import argparse
import sys

from clearance.commands import operator_name
from clearance.config import Settings
from ingest.alert_watch import utc_now
from ingest.audit_prune import prune_audit_log
from models.audit_retention import count_entries_before, retention_cutoff
from models.db import make_engine, session_factory


def _days(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of days")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("audit", help="the audit log: delete entries past their retention",
                                 description="The audit log (logins, token publishes, rule edits, dead-letter "
                                             "replays) is kept CLEARANCE_AUDIT_RETENTION_DAYS (default 400; "
                                             "0: kept forever); the overdue watcher deletes older entries "
                                             "once an hour.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    prune = actions.add_parser(
        "prune", help="delete the entries older than the retention, oldest first",
        description="Delete the audit-log entries stamped more than --older-than days ago (default "
                    "CLEARANCE_AUDIT_RETENTION_DAYS), oldest first, a thousand per transaction: it may be "
                    "stopped at any time, and run again it carries on. The prune leaves an entry of its own "
                    "(kind audit_prune: who, how many, the cutoff). Prints how many; nothing of the "
                    "entries themselves.")
    prune.add_argument("--older-than", type=_days, metavar="DAYS",
                       help="the retention in days for this run (default CLEARANCE_AUDIT_RETENTION_DAYS)")
    prune.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    prune.add_argument("--by", default=None,
                       help="the operator the prune's own audit entry names (default: login name)")
    prune.set_defaults(handler=_prune)


def _prune(args: argparse.Namespace, settings: Settings) -> int:
    days = args.older_than if args.older_than is not None else settings.audit_retention_days
    if not days:
        print("audit prune: CLEARANCE_AUDIT_RETENTION_DAYS is 0 (entries are kept forever); nothing deleted. "
              "Give --older-than DAYS to prune all the same.", file=sys.stderr)
        return 0
    cutoff = retention_cutoff(utc_now(), days)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        if args.dry_run:
            with sessions() as session:
                found = count_entries_before(session, cutoff)
            print(f"audit prune: {found} entries older than {days:g} days (before {cutoff:%Y-%m-%d %H:%M:%S}Z) "
                  "would be deleted (dry run)")
        else:
            deleted = prune_audit_log(sessions, cutoff, by=args.by or operator_name(), retention_days=days)
            print(f"audit prune: {deleted} entries older than {days:g} days (before {cutoff:%Y-%m-%d %H:%M:%S}Z) "
                  "deleted")
    finally:
        engine.dispose()
    return 0
