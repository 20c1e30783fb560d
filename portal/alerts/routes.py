"""GET /api/v1/alerts, GET /api/v1/alerts/<id>, POST /api/v1/alerts/<id>/acknowledge."""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from models.alerts import AlertStateError, acknowledge, find_alert, page_of_alerts
from portal.alerts import now
from portal.alerts.schemas import AcknowledgeSchema, AlertPageSchema, AlertQuerySchema, AlertSchema
from portal.auth.principal import authenticate, require_principal
from portal.db import db_session
from portal.errors import NotFound, PortalError

blp = Blueprint("alerts", __name__, url_prefix="/api/v1/alerts",
                description="Overdue steps (time limits) of the container visits the caller may see")
blp.before_request(authenticate)


class NotOpen(PortalError):
    status, code = 409, "conflict"


@blp.route("")
@blp.arguments(AlertQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AlertPageSchema)
def list_alerts(state: str, page: int, per_page: int) -> dict[str, Any]:
    """The caller's alerts in one state (default open), newest first: the port office's all, a
    terminal's those of its visits, an enterprise's those of its containers (the visits it sees)."""
    items, total = page_of_alerts(db_session(), require_principal(), [state.upper()], page, per_page)
    return {"items": items, "page": page, "per_page": per_page, "total": total}


@blp.route("/<int:alert_id>")
@blp.response(200, AlertSchema)
def get_alert(alert_id: int) -> dict[str, Any]:
    """One alert; 404 when unknown or not the caller's."""
    found = find_alert(db_session(), require_principal(), alert_id)
    if found is None:
        raise NotFound("no such alert")
    return found


@blp.route("/<int:alert_id>/acknowledge", methods=["POST"])
@blp.arguments(AcknowledgeSchema)
@blp.response(200, AlertSchema)
@blp.alt_response(409, description="the alert is acknowledged or cleared already")
def acknowledge_alert(body: dict[str, Any], alert_id: int) -> dict[str, Any]:
    """Acknowledge an open alert, saying why (who, when and why are kept). The port office and the
    terminal of the alert's visit may; for anyone else the alert does not exist (404)."""
    principal, session = require_principal(), db_session()
    try:
        done = acknowledge(session, principal, alert_id, body["reason"].strip(), now())
    except AlertStateError as exc:
        raise NotOpen(str(exc)) from None
    if done is None:
        raise NotFound("no such alert")
    session.commit()
    return done
