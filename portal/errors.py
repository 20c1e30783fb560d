"""The one place that turns errors into what a client receives: `{"error": code, "message": text}` for
the API (under /api/) and Socket.IO, the portal's own error page (templates/error.html) for pages.

Routes and Socket.IO handlers raise the domain errors below; HTTP gets them with their status
(`register_error_handlers`), Socket.IO handlers send `error_payload(exc)`. What a caller may not see is
NotFound, never a 403, so that existence does not leak. Anything else raised is a bug: it is logged with
its traceback under the request's id (`X-Request-Id` on every answer), and the person is shown that id.
"""
from __future__ import annotations

from collections.abc import Callable

import logging
import secrets
from typing import Any

import marshmallow as ma
from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class PortalError(Exception):
    """A failure the client is told about: `code` is stable, `message` is for people."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(PortalError):
    status, code = 400, "invalid_request"


def checked_identifier(check: Callable[[str], str], text: str) -> str:
    """An identifier from a URL, normalised and checked by one of `events.identifiers`' functions, or
    InvalidRequest saying what is wrong with it."""
    value = text.strip().upper()
    try:
        return check(value)
    except ValueError as exc:
        raise InvalidRequest(f"{value}: {exc}") from None


class Unauthorized(PortalError):
    status, code = 401, "unauthorized"


class Forbidden(PortalError):
    """The caller is known, but its credential does not allow this kind of request (a token's scopes)."""

    status, code = 403, "forbidden"


class NotFound(PortalError):
    status, code = 404, "not_found"


class TooManyAttempts(PortalError):
    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TooManyAttempts):
    """An API token (or an address sending unknown tokens) over its rate limit (portal.auth.rate_limit)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after)
        self.details = {"retry_after_seconds": retry_after}


class Unavailable(PortalError):
    status, code = 503, "unavailable"


class ErrorSchema(ma.Schema):
    """Every error answer of the API."""

    error = ma.fields.String(required=True, metadata={"description": "stable error code, e.g. not_found"})
    message = ma.fields.String(required=True, metadata={"description": "what went wrong, for people"})
    details = ma.fields.Dict(metadata={"description": "field errors, when arguments are invalid"})
    request_id = ma.fields.String(metadata={"description": "on an unexpected error (500): quote it when "
                                                           "reporting; the same as the X-Request-Id header"})


def error_payload(exc: PortalError) -> dict[str, Any]:
    """The body for a domain error, the same over HTTP and Socket.IO."""
    body: dict[str, Any] = {"error": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    return body


# HTTP errors raised by Flask, werkzeug or webargs, in the same shape.
_HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 415: "unsupported_media_type", 422: "invalid_arguments",
               403: "forbidden", 429: "too_many_attempts", 500: "internal_error", 503: "unavailable"}


def http_error(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """JSON for a werkzeug HTTPException (webargs puts field errors in `error.data`)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    body: dict[str, Any] = {"error": _HTTP_CODES.get(status, "http_error"),
                            "message": data.get("message") or error.description or error.name}
    messages = data.get("messages") or data.get("errors")
    if messages:
        body["details"] = messages
        body["message"] = "invalid arguments: " + _flatten(messages)
    return body, status, dict(data.get("headers") or {})


def _flatten(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        return "; ".join(_flatten(v, f"{prefix}{k}." if k not in ("json", "query") else prefix)
                         for k, v in messages.items())
    if isinstance(messages, list):
        return f"{prefix.rstrip('.')}: " + " ".join(str(m) for m in messages)
    return f"{prefix.rstrip('.')}: {messages}"


def _wants_html() -> bool:
    return not request.path.startswith("/api/")


def request_id() -> str:
    """This request's id: in the `X-Request-Id` header of every answer, in the log line of an
    unexpected error and on its page or JSON body, so that a person's report finds the traceback."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    return str(g.request_id)


def _error_page(status: int, detail: str | None = None, kind: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
    """The portal's own page for a failed page request (templates/error.html, zh-CN and English)."""
    body = render_template("error.html", status=status, detail=detail, kind=kind, request_id=request_id())
    return Response(body, status=status, headers=headers or {}, mimetype="text/html")


def _portal_error(exc: PortalError) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="clearance"'
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        log.warning("request %s: %s %s answered %s: %s", request_id(), request.method, request.path,
                    exc.status, exc.message)
    if _wants_html():
        return _error_page(exc.status, exc.message, headers=headers)
    response = jsonify(error_payload(exc))
    response.status_code = exc.status
    response.headers.update(headers)
    return response


def _csrf_error(exc: CSRFError) -> Any:
    if _wants_html():
        return _error_page(400, exc.description, kind="csrf")
    return {"error": "csrf_failed", "message": f"{exc.description} (send the X-CSRFToken header)"}, 400


def _http_exception(exc: HTTPException) -> Any:
    if _wants_html():
        status = exc.code or 500
        # werkzeug's stock descriptions say less than the page does; a description given to abort() is kept
        custom = exc.description if exc.description != type(exc).description else None
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return _error_page(status, custom, headers=headers)
    return http_error(exc)


def _unexpected(exc: Exception) -> Any:
    """A bug: logged with its traceback and the request id, which the person is shown to quote."""
    rid = request_id()
    log.error("request %s: unexpected error on %s %s", rid, request.method, request.path, exc_info=exc)
    if _wants_html():
        return _error_page(500)
    return {"error": "internal_error", "request_id": rid,
            "message": f"unexpected error on our side; quote request id {rid} when you report it"}, 500


def _tag_response(response: Response) -> Response:
    response.headers["X-Request-Id"] = request_id()
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the error answers (call after the smorest Api, whose handler this replaces): JSON under
    /api/, the portal's error page elsewhere, and a request id on every answer."""
    app.register_error_handler(PortalError, _portal_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_tag_response)
