"""What an API token may do: its scopes (`models.user.SCOPES`) against what the request needs.

- `read`: every request that changes nothing (GET, HEAD), and Socket.IO /live;
- `publish`: `POST /api/v1/events`, dry runs included (they check a publish);
- both: the other changes (acknowledging an alert, editing time limits), which read what they change;
- any scope: `GET /api/v1/session` (who the caller is).
Browser sessions are not scoped. A token that lacks a scope answers 403 `forbidden` before anything is
looked up, the same for every resource, so it tells nothing about what exists.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from flask import current_app, request

from models.user import PUBLISH, READ
from portal.errors import Forbidden

View = TypeVar("View", bound=Callable[..., Any])
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ANY_SCOPE: frozenset[str] = frozenset()


def needs_scopes(*scopes: str) -> Callable[[View], View]:
    """Mark a view as needing exactly these scopes of a token (none: any token will do)."""
    def mark(view: View) -> View:
        view.token_scopes = frozenset(scopes)  # type: ignore[attr-defined]
        return view
    return mark


def required_scopes() -> frozenset[str]:
    """The scopes this request needs of a token: the view's own, else by its method."""
    view = current_app.view_functions.get(request.endpoint or "")
    declared = getattr(view, "token_scopes", None)
    if declared is not None:
        return frozenset(declared)
    return frozenset({READ}) if request.method in SAFE_METHODS else frozenset({READ, PUBLISH})


def check_scopes(have: Collection[str], need: Collection[str], what: str | None = None) -> None:
    """Forbidden (403) naming what is missing, unless the token has every scope needed for `what`
    (default: this request's method and path)."""
    missing = sorted(set(need) - set(have))
    if missing:
        raise Forbidden(f"this API token's scopes ({' '.join(sorted(have)) or 'none'}) do not include "
                        f"{' and '.join(missing)}, which {what or f'{request.method} {request.path}'} needs; "
                        f"create a token with --scope {' --scope '.join(missing)}",
                        missing_scopes=missing, token_scopes=sorted(have))
