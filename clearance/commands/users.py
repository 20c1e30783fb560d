"""`clearance users create|list|disable|enable`: portal users (enterprise, terminal, port office)."""
from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from clearance.config import Settings
from events import identifiers
from models.db import make_engine, session_factory
from models.login_session import end_user_sessions
from models.user import (
    Role,
    UserError,
    binding_problem,
    count_active_tokens,
    create_user,
    issue_token,
    list_users,
    set_disabled,
)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
TERMINAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,15}")
MIN_PASSWORD = 10


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("users", help="create, list and disable portal users",
                                 description="Portal users on DATABASE_URL (run `clearance db upgrade` first).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a user and print its first API token (last line)")
    create.add_argument("name", help="login name: letters, digits, _ . @ - (at most 64)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--uscc", help="the enterprise's unified social credit code (role enterprise)")
    create.add_argument("--terminal", help="the terminal code, e.g. YTCT (role terminal)")
    create.add_argument("--password-prompt", action="store_true",
                        help="ask for a password for browser login (read from standard input when it is "
                             "not a terminal); without it the user has API tokens only")
    create.add_argument("--label", default="created with the user", help="label of the first token")
    create.set_defaults(handler=_create)
    actions.add_parser("list", help="list users").set_defaults(handler=_list)
    for action, text in (("disable", "stop a user's tokens and sessions at once"),
                         ("enable", "let a disabled user in again")):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("name")
        sub.set_defaults(handler=_set_disabled, disabled=action == "disable")


@contextmanager
def user_session(settings: Settings) -> Iterator[Session]:
    """A Session on DATABASE_URL, committed when the block ends without error."""
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def run_db(settings: Settings, work: Callable[[Session], int], command: str) -> int:
    """Run `work` in a committed session; user errors exit 1, database trouble exits 1 with a hint."""
    try:
        with user_session(settings) as session:
            return work(session)
    except UserError as exc:
        print(f"clearance {command}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"clearance {command}: database error (is the schema current? `clearance db upgrade`): "
              f"{str(exc).splitlines()[0]}", file=sys.stderr)
        return 1


def _create(args: argparse.Namespace, settings: Settings) -> int:
    problem = _binding_problem(args)
    if problem:
        print(f"clearance users create: {problem}", file=sys.stderr)
        return 2
    password = None
    if args.password_prompt:
        password = read_password()
        if password is None:
            return 2

    def work(session: Session) -> int:
        user = create_user(session, args.name, Role(args.role), uscc=args.uscc, terminal=args.terminal,
                           password=password)
        token_row, token = issue_token(session, user, args.label)
        binding = user.uscc or user.terminal or "all"
        print(f"created user {user.name} (role {user.role}, {binding}); API token id {token_row.id}, "
              "shown once:")
        print(token)
        return 0
    return run_db(settings, work, "users create")


def _binding_problem(args: argparse.Namespace) -> str | None:
    if not NAME.fullmatch(args.name):
        return f"{args.name!r}: a name is 1 to 64 letters, digits or _ . @ -"
    if args.uscc:
        args.uscc = args.uscc.strip().upper()
        try:
            identifiers.uscc_format(args.uscc)
        except ValueError as exc:
            return f"--uscc {args.uscc}: {exc}"
    if args.terminal and not TERMINAL.fullmatch(args.terminal):
        return f"--terminal {args.terminal!r}: 1 to 16 letters, digits or _ . - /"
    return binding_problem(Role(args.role), args.uscc, args.terminal)


def read_password() -> str | None:
    """Ask twice on a terminal; read one line from standard input otherwise (scripts, tests)."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("clearance users create: the passwords differ", file=sys.stderr)
            return None
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        print(f"clearance users create: a password needs at least {MIN_PASSWORD} characters", file=sys.stderr)
        return None
    return password


def _list(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        print(f"{'NAME':24} {'ROLE':12} {'BINDING':20} {'STATUS':9} {'TOKENS':>6} CREATED")
        for user in list_users(session):
            status = "disabled" if user.disabled else "active"
            binding = user.uscc or user.terminal or "-"
            print(f"{user.name:24} {user.role:12} {binding:20} {status:9} {count_active_tokens(session, user):6d} "
                  f"{user.created_at:%Y-%m-%d %H:%M}Z")
        return 0
    return run_db(settings, work, "users list")


def _set_disabled(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        user = set_disabled(session, args.name, args.disabled)
        ended = end_user_sessions(session, user) if user.disabled else 0
        print(f"user {user.name} {'disabled' if user.disabled else 'enabled'}"
              + (f"; {ended} browser session(s) ended" if ended else ""))
        return 0
    return run_db(settings, work, f"users {'disable' if args.disabled else 'enable'}")
