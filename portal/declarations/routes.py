"""GET /api/v1/declarations/<declaration_no>: receipts and the caller's containers of a declaration."""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from events import identifiers
from events.codec import ClearanceEvent
from models.access import declaration_visible
from models.declarations import declaration_container_nos, declaration_events
from models.user import Role
from portal.auth.principal import authenticate, require_principal
from portal.containers.queries import visible_visits_of
from portal.containers.views import container_summary, type_label
from portal.db import db_session
from portal.declarations.queries import may_see_declaration
from portal.declarations.schemas import DeclarationSchema
from portal.errors import NotFound, checked_identifier

blp = Blueprint("declarations", __name__, url_prefix="/api/v1/declarations",
                description="Declarations and their customs receipts")
blp.before_request(authenticate)


@blp.route("/<declaration_no>")
@blp.response(200, DeclarationSchema)
def get_declaration(declaration_no: str) -> dict[str, Any]:
    """The declaration's receipts in occurred_at order, and the caller's visits that carry it.
    404 when unknown or not the caller's: an enterprise must be named on its events, a terminal must
    see one of its containers' visits. Both 404s cost the same: one query decides them."""
    declaration_no = checked_identifier(identifiers.declaration_no, declaration_no)
    principal, session = require_principal(), db_session()
    if not may_see_declaration(session, principal, declaration_no):  # one query: no timing tells which
        raise NotFound("no such declaration")
    events = declaration_events(session, declaration_no)
    rows = visible_visits_of(session, principal, declaration_container_nos(session, declaration_no))
    carrying = [(c, v, s) for c, v, s in rows if declaration_no in (s.get("declaration_nos") or ())]
    if not (events or carrying) or not declaration_visible(principal, events, len(carrying)):
        raise NotFound("no such declaration")
    seen = None if principal.role == Role.PORT_OFFICE.value else {c for c, _, _ in carrying}
    return {"declaration_no": declaration_no,
            "receipts": [receipt(e, seen) for e in events if seen is None or e.container_no in (None, *seen)],
            "containers": [container_summary(c, v, s) for c, v, s in carrying]}


def receipt(event: ClearanceEvent, seen: set[str] | None) -> dict[str, Any]:
    """An event as a receipt; `seen` limits the containers it lists (None: all)."""
    return {**type_label(event.type), "event_id": event.event_id, "source": event.source,
            "publisher": event.publisher, "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
            "classifier": event.classifier,
            "direction": event.direction, "customs_code": event.customs_code,
            "container_no": event.container_no,
            "containers": [c for c in event.containers if seen is None or c in seen],
            "bl_no": event.bl_no, "enterprise_uscc": event.enterprise_uscc,
            "declarant_uscc": event.declarant_uscc, "detail": event.detail}
