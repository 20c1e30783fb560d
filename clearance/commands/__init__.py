"""One module per `clearance` subcommand; each has `register(subparsers)` and a handler(args, settings)."""
from __future__ import annotations

import getpass


def operator_name() -> str:
    """Who runs the command, for the audit entries an operator's command records (their login name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
