"""Security headers on every answer of the portal: pages, API JSON, errors, static files, /metrics and
the health checks, and what Engine.IO answers itself (Socket.IO polling), which never reaches Flask's
`after_request` hooks, hence a WSGI middleware around the whole app rather than a hook.

The Content-Security-Policy allows scripts, styles and connections from the portal's own origin only:
no inline script or style, no eval. The templates and static/ hold no inline code (their styles are in
static/*.css, their scripts in static/js/), so an injected `<script>` or `onerror=` is refused by the
browser even if some text were ever put into the page as HTML. `connect-src 'self'` covers the
same-origin Socket.IO WebSocket: CSP Level 3 matches ws:/wss: to 'self' (http → ws, https → wss).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from portal.config import PortalConfig

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000"  # a year; only sent when the portal is served over HTTPS (secure cookies)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers every answer carries; Strict-Transport-Security only when `secure` (HTTPS)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        # URLs name containers, declarations and bills of lading: never sent to another site.
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SecurityHeaders:
    """WSGI middleware adding `headers` to every answer that does not already set them."""

    def __init__(self, app: WSGIApp, headers: list[tuple[str, str]]) -> None:
        self.app = app
        self.headers = headers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start_with_headers(status: str, response_headers: list[tuple[str, str]],
                               exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in response_headers}
            response_headers.extend(h for h in self.headers if h[0].lower() not in present)
            return start_response(status, response_headers, exc_info)
        return self.app(environ, start_with_headers)


def init_security_headers(app: Flask, config: PortalConfig) -> None:
    """Wrap the app (Socket.IO's middleware included: call after socketio.init_app) so that every answer
    carries the security headers."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app, security_headers(config.secure_cookies))  # type: ignore[method-assign]
