"""Holding API callers to the per-token rate limit (portal.auth.rate_limit), over HTTP and Socket.IO.

A token takes one request from its bucket per HTTP request, per Socket.IO connect and per `subscribe`.
A request with a token nobody has takes one from its address's bucket instead: once that is empty it
answers 429 rather than 401, so unknown tokens cannot be tried without limit either. Browser sessions
are not limited here.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from flask import Flask, current_app, request

from models.login_session import TOKEN, Credential
from portal.auth.rate_limit import TokenBuckets
from portal.errors import RateLimited

if TYPE_CHECKING:
    from portal.auth.principal import Caller


def init_token_limits(app: Flask, rate: float, burst: int) -> TokenBuckets:
    """This process's buckets: `rate` requests a second per token, `burst` at once (rate 0: no limit)."""
    buckets = TokenBuckets(rate, burst)
    app.extensions["clearance_token_limits"] = buckets
    return buckets


def admitted(caller: Caller | None, token_given: bool) -> Caller | None:
    """The caller, once its request is within its token's limit (or its address's, for a token
    nobody has); else RateLimited (429, Retry-After). A session caller, or no credential, is let by."""
    key, what = _bucket_of(caller, token_given)
    if key is None:
        return caller
    buckets: TokenBuckets = current_app.extensions["clearance_token_limits"]
    wait = buckets.take(key)
    if wait:
        raise RateLimited(f"{what} is over its rate limit ({buckets.rate:g} requests a second, {buckets.burst} "
                          f"at once); try again in {wait} s", retry_after=wait)
    return caller


def _bucket_of(caller: Caller | None, token_given: bool) -> tuple[Hashable | None, str]:
    if caller is not None and caller.by_token:
        return ("token", caller.credential.id), "this API token"
    if caller is None and token_given:
        return ("address", request.remote_addr or ""), "this address, sending unknown API tokens,"
    return None, ""


def live_wait(credential: Credential) -> int:
    """For a Socket.IO event of a connection made with a token: take one request from its bucket;
    0 when it may go, else the seconds to wait (nothing taken). Login sessions always go."""
    if credential.kind != TOKEN:
        return 0
    buckets: TokenBuckets = current_app.extensions["clearance_token_limits"]
    return buckets.take(("token", credential.id))
