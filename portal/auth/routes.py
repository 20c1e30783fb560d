"""Browser login and logout (HTML, CSRF-protected forms), the home page, and GET /api/v1/session."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, send_from_directory, session, url_for
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf.csrf import generate_csrf

from models.audit_log import FAILED, LOGIN, OK, THROTTLED, Actor, record
from models.login_session import end_session, start_session
from models.user import check_login, clear_login_failures, login_retry_after, record_login_failure
from portal.auth.principal import SESSION_SECRET, current_principal, require_principal
from portal.auth.schemas import LoginForm, SessionSchema
from portal.auth.scopes import needs_scopes
from portal.db import db_session
from portal.errors import request_id

log = logging.getLogger(__name__)

pages = Blueprint("auth", __name__)
api_blp = ApiBlueprint("session", __name__, url_prefix="/api/v1/session",
                       description="Who is calling (token or browser session)")


@pages.get("/")
def home() -> ResponseReturnValue:
    """The portal's page (static/index.html) for a logged-in user, else the login page."""
    principal = current_principal()
    if principal is None:
        return redirect(url_for("auth.login"))
    static_dir = current_app.config["PORTAL"].static_dir
    if (static_dir / "index.html").is_file():
        return send_from_directory(static_dir, "index.html")
    return render_template("home.html", principal=principal)


@pages.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """static/favicon.ico when there is one; otherwise an empty answer rather than a 404 in every console."""
    static_dir = current_app.config["PORTAL"].static_dir
    if (static_dir / "favicon.ico").is_file():
        return send_from_directory(static_dir, "favicon.ico")
    return "", 204


@pages.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """GET: the form. POST: check the name and password (throttled per name), start the session."""
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("login.html", form=form, error=None), status
    config = current_app.config["PORTAL"]
    window = timedelta(seconds=config.login_failure_window_seconds)
    name = form.name.data.strip()[:64]
    database = db_session()
    retry_after = login_retry_after(database, name, config.login_failure_limit, window)
    if retry_after:
        log.warning("login throttled for %r (%s s)", name, retry_after)
        _audit_login(name, None, THROTTLED, f"login as {name} throttled ({retry_after} s left)")
        database.commit()
        return _throttled(form, retry_after)
    user = check_login(database, name, form.password.data)
    if user is None:
        record_login_failure(database, name, window)
        _audit_login(name, None, FAILED, f"failed login as {name}")
        database.commit()
        log.info("failed login for %r", name)
        return render_template("login.html", form=form, error="bad_credentials"), 401
    clear_login_failures(database, name)
    _end_login_session()  # a login from a browser already logged in replaces its session
    _, secret = start_session(database, user)
    _audit_login(user.name, user.id, OK, f"{user.name} logged in")
    database.commit()
    session.clear()
    session.permanent = True  # the cookie expires with the session, 12 h from now
    session[SESSION_SECRET] = secret
    _new_csrf_secret()
    log.info("user %s logged in", user.name)
    return redirect(url_for("auth.home"))


def _audit_login(name: str, user_id: int | None, outcome: str, summary: str) -> None:
    """The audit-log entry of a login attempt, in the login's transaction: the name tried, never the password."""
    record(db_session(), LOGIN, Actor(name, user_id, address=request.remote_addr, request_id=request_id()),
           summary, outcome=outcome)


def _new_csrf_secret() -> None:
    """Put a fresh CSRF secret into the login cookie itself. Were it left to the page's first
    GET /api/v1/session, a request racing it from the bare login cookie could answer last and
    overwrite the cookie without the secret (every permanent-session response re-sets it)."""
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # Flask-WTF caches the form's token here
    generate_csrf()


def _throttled(form: LoginForm, retry_after: int) -> ResponseReturnValue:
    minutes = max(1, (retry_after + 59) // 60)
    body = render_template("login.html", form=form, error="throttled", minutes=minutes)
    return body, 429, {"Retry-After": str(retry_after)}


@pages.post("/logout")
def logout() -> ResponseReturnValue:
    """End the browser session (a CSRF-protected form post): in the database, so that a copy of the
    cookie is refused too, by every portal process."""
    _end_login_session()
    db_session().commit()
    session.clear()
    return redirect(url_for("auth.login"))


def _end_login_session() -> None:
    secret = session.get(SESSION_SECRET)
    if isinstance(secret, str):
        end_session(db_session(), secret)


@api_blp.route("")
@api_blp.response(200, SessionSchema)
@needs_scopes()  # any token: it only says who is calling
def who_am_i() -> dict[str, Any]:
    """The caller's name, role and binding, and a CSRF token for browser calls that change state."""
    principal = require_principal()
    return {"name": principal.name, "role": principal.role, "uscc": principal.uscc,
            "terminal": principal.terminal, "csrf_token": generate_csrf()}
