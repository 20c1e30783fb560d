"""The one place that turns errors into what a client receives: `{"error": code, "message": text}`.

Routes and Socket.IO handlers raise the domain errors below; HTTP gets them as JSON with their status
(`register_error_handlers`), Socket.IO handlers send `error_payload(exc)`. What a caller may not see is
NotFound, never a 403, so that existence does not leak.
"""
from __future__ import annotations

from collections.abc import Callable

import logging
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, render_template, request
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


class NotFound(PortalError):
    status, code = 404, "not_found"


class TooManyAttempts(PortalError):
    status, code = 429, "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(PortalError):
    status, code = 503, "unavailable"


class ErrorSchema(ma.Schema):
    """Every error answer of the API."""

    error = ma.fields.String(required=True, metadata={"description": "stable error code, e.g. not_found"})
    message = ma.fields.String(required=True, metadata={"description": "what went wrong, for people"})
    details = ma.fields.Dict(metadata={"description": "field errors, when arguments are invalid"})


def error_payload(exc: PortalError) -> dict[str, Any]:
    """The body for a domain error, the same over HTTP and Socket.IO."""
    body: dict[str, Any] = {"error": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    return body


# HTTP errors raised by Flask, werkzeug or webargs, in the same shape.
_HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
               413: "too_large", 415: "unsupported_media_type", 422: "invalid_arguments",
               429: "too_many_attempts", 500: "internal_error", 503: "unavailable"}


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


def _portal_error(exc: PortalError) -> Response:
    response = jsonify(error_payload(exc))
    response.status_code = exc.status
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="clearance"'
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _csrf_error(exc: CSRFError) -> Any:
    if _wants_html():
        return render_template("error.html", message=exc.description), 400
    return {"error": "csrf_failed", "message": f"{exc.description} (send the X-CSRFToken header)"}, 400


def _http_exception(exc: HTTPException) -> Any:
    if _wants_html():
        return exc
    return http_error(exc)


def register_error_handlers(app: Flask) -> None:
    """Install the JSON error answers (call after the smorest Api, whose handler this replaces)."""
    app.register_error_handler(PortalError, _portal_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_exception)
