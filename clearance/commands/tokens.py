"""`clearance tokens create|list|revoke`: API tokens (`Authorization: Bearer <token>`) of portal users."""
from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from clearance.commands.users import run_db
from clearance.config import Settings
from models.user import SCOPES, UserError, find_user, issue_token, list_tokens, revoke_token


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("tokens", help="create, list and revoke API tokens",
                                 description="A token is shown once, when created; only its SHA-256 is kept. "
                                             "Its scopes say what it may do: read, publish, or both.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="a new token for a user (printed alone on the last line)")
    create.add_argument("name", help="the user's name")
    create.add_argument("--label", help="what the token is for, e.g. 'gate system'")
    create.add_argument("--scope", action="append", choices=SCOPES, dest="scopes",
                        help="what the token may do, repeatable: read (every request that changes nothing, "
                             "and live updates), publish (POST /api/v1/events); default both")
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list tokens (never their values)")
    listing.add_argument("name", nargs="?", help="only this user's tokens")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a token by its id (see `tokens list`)")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(handler=_revoke)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        user = find_user(session, args.name)
        if user is None:
            raise UserError(f"no user {args.name!r}")
        row, token = issue_token(session, user, args.label, args.scopes or SCOPES)
        print(f"API token id {row.id} for {user.name}, scopes {row.scopes}, shown once:")
        print(token)
        return 0
    return run_db(settings, work, "tokens create")


def _list(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        print(f"{'ID':>6} {'USER':24} {'SCOPES':12} {'CREATED':17} {'REVOKED':17} LABEL")
        for token, user in list_tokens(session, args.name):
            revoked = f"{token.revoked_at:%Y-%m-%d %H:%M}Z" if token.revoked_at else "-"
            print(f"{token.id:6d} {user.name:24} {token.scopes:12} {token.created_at:%Y-%m-%d %H:%M}Z {revoked:17} "
                  f"{token.label or ''}")
        return 0
    return run_db(settings, work, "tokens list")


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        row = revoke_token(session, args.token_id)
        print(f"token {row.id} revoked at {row.revoked_at:%Y-%m-%d %H:%M:%S}Z")
        return 0
    return run_db(settings, work, "tokens revoke")
