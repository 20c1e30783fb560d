"""GET /api/v1/audit: the audit log (logins, token publishes, time-limit rule changes, dead-letter
replays), for the port office only. Anyone else is answered exactly as for a path that does not exist."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort
from flask_smorest import Blueprint

from models.audit_log import AuditEntry, AuditQuery, page_of_entries
from models.user import READ, Role
from portal.audit.schemas import AuditLogPageSchema, AuditLogQuerySchema
from portal.auth.principal import require_caller
from portal.auth.scopes import check_scopes, needs_scopes
from portal.db import db_session

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="Who did what when: logins, token publishes, rule changes, dead-letter replays "
                            "(port office)")


@blp.before_request
def port_office_only() -> None:
    """401 without credentials; 404, as for a path that does not exist, for anyone but the port office
    (before its arguments are looked at); a port-office token needs the read scope."""
    caller = require_caller()
    if caller.principal.role != Role.PORT_OFFICE.value:
        abort(404)
    if caller.by_token:
        check_scopes(caller.scopes, {READ})


@blp.route("")
@blp.arguments(AuditLogQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AuditLogPageSchema)
@needs_scopes()  # checked in port_office_only, after the role: a scope must not tell others it exists
def list_entries(kind: str | None, actor: str | None, since: datetime | None, page: int,
                 per_page: int) -> dict[str, Any]:
    """The entries matching every filter given, newest first, a page at a time."""
    rows, total = page_of_entries(db_session(), AuditQuery(kind, actor, since), page, per_page)
    return {"items": [entry_record(row) for row in rows], "page": page, "per_page": per_page, "total": total}


def entry_record(row: AuditEntry) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat().replace("+00:00", "Z"), "kind": row.kind, "outcome": row.outcome,
            "actor": row.actor, "user_id": row.user_id, "token_id": row.token_id, "address": row.address,
            "request_id": row.request_id, "summary": row.summary, "detail": row.detail}
