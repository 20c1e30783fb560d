"""`clearance db upgrade|downgrade`: the schema, by Alembic migrations."""
from __future__ import annotations

import argparse

from clearance.config import Settings
from models.db import downgrade, upgrade


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("db", help="create or migrate the database schema",
                                 description="Apply Alembic migrations to DATABASE_URL.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="migrate to the newest schema (creates it on a new database)")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    up.set_defaults(handler=_upgrade)
    down = actions.add_parser("downgrade", help="migrate back to an older revision")
    down.add_argument("revision", help="target revision, e.g. base or -1")
    down.set_defaults(handler=_downgrade)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {_safe(settings.database_url)}")
    return 0


def _downgrade(args: argparse.Namespace, settings: Settings) -> int:
    downgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {_safe(settings.database_url)}")
    return 0


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme_user = head.split(":")
    return f"{scheme_user[0]}:{scheme_user[1]}:***@{tail}" if len(scheme_user) > 2 else url
