"""The portal: Flask app factory, API blueprints (/api/v1), login pages, Socket.IO (portal.live)."""
from __future__ import annotations

import logging

from flask import Flask, Response, request

from models.login_session import LOGIN_LIFETIME
from portal.config import PortalConfig

log = logging.getLogger(__name__)

API_SPEC = {
    "API_TITLE": "Yantai port clearance status",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}
CACHEABLE_API_PATHS = ("/api/v1/openapi.json",)  # the same for everyone


def create_app(config: PortalConfig) -> Flask:
    """The portal app for this configuration: extensions bound, blueprints registered, live push set up."""
    from events.schema import EventSchema
    from portal.alert_rules.routes import blp as alert_rules_blp
    from portal.alerts import init_alerts
    from portal.alerts.routes import blp as alerts_blp
    from portal.audit.routes import blp as audit_blp
    from portal.auth.limits import init_token_limits
    from portal.auth.routes import api_blp as session_blp
    from portal.auth.routes import pages
    from portal.compliance.routes import blp as compliance_blp
    from portal.containers.routes import blp as containers_blp
    from portal.db import init_db
    from portal.declarations.routes import blp as declarations_blp
    from portal.errors import register_error_handlers
    from portal.events.publisher import init_publisher
    from portal.events.routes import MAX_EVENTS
    from portal.events.routes import blp as events_blp
    from portal.events.schemas import EVENT_COMPONENT
    from portal.stats.routes import blp as stats_blp
    from portal.extensions import api, csrf, socketio
    from portal.feeds.routes import blp as feeds_blp
    from portal.feeds.routes import init_dead_letters
    from portal.worklist.routes import blp as worklist_blp

    app = Flask(__name__, static_folder=str(config.static_dir), static_url_path="/static")
    app.config.update(_flask_settings(config))
    app.config["PORTAL"] = config
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese names stay readable
    init_db(app, config.database_url, config.write_wait_seconds)
    init_token_limits(app, config.portal_token_rate, config.portal_token_burst)
    init_publisher(app, config)
    init_dead_letters(app, config)
    csrf.init_app(app)
    # None: Engine.IO accepts only same-origin browser connections.
    socketio.init_app(app, async_mode=config.async_mode, cors_allowed_origins=None)
    api.init_app(app)
    api.spec.components.schema(EVENT_COMPONENT, schema=EventSchema)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    for blueprint in (session_blp, containers_blp, declarations_blp, events_blp):
        api.register_blueprint(blueprint)
    api.register_blueprint(stats_blp)
    api.register_blueprint(feeds_blp)
    api.register_blueprint(worklist_blp)
    api.register_blueprint(audit_blp)
    csrf.exempt(events_blp)  # token callers need no CSRF; session callers are checked in require_principal
    for blueprint in (alerts_blp, alert_rules_blp, compliance_blp):  # time limits and overdue alerts
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(pages)
    register_error_handlers(app)
    app.after_request(_not_for_caches)
    app.config["MAX_CONTENT_LENGTH"] = MAX_EVENTS * config.max_message_bytes

    from portal.observability import init_observability
    init_observability(app)  # /metrics, /healthz, /readyz; before the live push, which it measures
    from portal.live import init_live
    init_live(app)
    init_alerts(app)
    from portal.security_headers import init_security_headers
    init_security_headers(app, config)  # last: around Socket.IO's middleware too
    return app


def _flask_settings(config: PortalConfig) -> dict[str, object]:
    return {
        **API_SPEC,
        "API_SPEC_OPTIONS": {"security": [{"bearerAuth": []}, {"sessionCookie": []}]},
        "SECRET_KEY": config.secret_key,
        "TESTING": config.testing,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": config.secure_cookies,
        # The login session's own lifetime (kept in the database); use never extends it, so the cookie
        # is not sent again with every answer either.
        "PERMANENT_SESSION_LIFETIME": LOGIN_LIFETIME,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": int(LOGIN_LIFETIME.total_seconds()),
        "WTF_CSRF_SSL_STRICT": config.secure_cookies,
    }


def _not_for_caches(response: Response) -> Response:
    """API answers hold what one caller may see: no cache may keep them, nor serve one caller's answer to
    another (they depend on the Authorization header and the session cookie)."""
    if request.path.startswith("/api/") and request.path not in CACHEABLE_API_PATHS:
        response.headers["Cache-Control"] = "no-store"
        response.vary.update(("Authorization", "Cookie"))
    return response
