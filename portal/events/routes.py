"""POST /api/v1/events: publish events (JSON: one object or a list; or a CSV or XLSX table) to the
events topic, or only check them (`?dry_run=1`); GET the table template and the caller's recent
publishes (the audit)."""
from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from models.access import Principal, principal_header
from models.audit import recent_publishes
from models.user import PUBLISH, Role
from portal.auth.principal import authenticate, require_principal
from portal.auth.scopes import needs_scopes
from portal.db import db_session, reads_only_when
from portal.errors import Unavailable
from portal.events.audit import audit_publish, audit_token_use, unsent
from portal.events.checks import Verdict, checked
from portal.events.incoming import Incoming, incoming
from portal.events.publisher import event_publisher
from portal.events.schemas import (
    DRY_RUN_TRUE,
    PublishQuerySchema,
    PublishResultSchema,
    RecentSchema,
    TemplateQuerySchema,
    audit_entry,
    request_body,
)
from portal.events.tables import CSV_MEDIA, XLSX_MEDIA, template_csv, template_xlsx
from portal.events.template_notes import FIELD_NOTES

log = logging.getLogger(__name__)
MAX_EVENTS = 500

blp = Blueprint("events", __name__, url_prefix="/api/v1/events",
                description="Publishing clearance events (docs/contract.md)")
blp.before_request(authenticate)


def is_dry_run() -> bool:
    """`?dry_run=1` (or true): check only. Such a request neither publishes nor writes the audit."""
    return request.args.get("dry_run", "") in DRY_RUN_TRUE


@blp.route("", methods=["POST"])
@blp.arguments(PublishQuerySchema, location="query", as_kwargs=True)
@blp.doc(requestBody=request_body(MAX_EVENTS))
@blp.response(202, PublishResultSchema, description="at least one event is on the topic")
@blp.alt_response(200, schema=PublishResultSchema, description="dry run: at least one event would be accepted")
@blp.alt_response(400, schema=PublishResultSchema, description="no event accepted (or the body is unusable)")
@reads_only_when(is_dry_run)  # a dry run writes nothing; a publish writes its audit rows
@needs_scopes(PUBLISH)
def publish(dry_run: bool = False, terminal: str | None = None) -> ResponseReturnValue:
    """Validate each event against the contract and the caller's publishing rights, send the valid ones
    to Kafka and answer once the broker holds them; every event is audited. A terminal publishes
    TERMINAL events as itself, an enterprise ENTERPRISE events naming its USCC, the port office anything."""
    principal = require_principal()
    submitted = incoming(principal, MAX_EVENTS, terminal)
    verdict = checked(principal, submitted.events, current_app.config["PORTAL"].max_message_bytes)
    if dry_run:
        return _answer(verdict, [e.event_id for _, e in verdict.valid], submitted, 200, dry_run=True)
    audited = audit_publish(principal, submitted, verdict)  # before publishing: the write lock, or 503
    accepted = _send(principal, verdict)
    unsent(audited, verdict, accepted)
    audit_token_use(submitted, len(accepted), len(verdict.rejected))
    db_session().commit()
    if verdict.valid and not accepted:
        raise Unavailable("Kafka did not store the events; nothing was published, try again")
    log.info("%s published %d event(s), %d rejected", principal.name, len(accepted), len(verdict.rejected))
    return _answer(verdict, [e.event_id for i, e in verdict.valid if i in accepted], submitted, 202)


def _send(principal: Principal, verdict: Verdict) -> set[int]:
    """Put the valid events on the topic; those Kafka did not store join the rejected ones."""
    if not verdict.valid:
        return set()
    outcomes = event_publisher().publish([e for _, e in verdict.valid], principal_header(principal))
    accepted = set()
    for (index, _), outcome in zip(verdict.valid, outcomes):
        if outcome is None:
            accepted.add(index)
        else:
            verdict.rejected.append({"index": index, "reasons": [outcome]})
    return accepted


def _answer(verdict: Verdict, accepted: list[str], submitted: Incoming, status: int,
            dry_run: bool = False) -> ResponseReturnValue:
    rejected = sorted(verdict.rejected, key=lambda r: r["index"])
    body: dict[str, Any] = {"accepted": accepted, "rejected": rejected}
    if dry_run:
        body["dry_run"] = True
    if submitted.channel != "json":  # what each row reads as, for a preview of the table
        valid = dict(verdict.valid)
        body["rows"] = [{"index": item.index, "document": item.document,
                         **({"event": valid[item.index].to_wire()} if item.index in valid else {})}
                        for item in submitted.events]
    if not accepted:
        body.update(error="no_event_accepted", message="no event was accepted: see rejected[].reasons")
        return body, 400
    return body, status


@blp.route("/template", methods=["GET"])
@blp.arguments(TemplateQuerySchema, location="query", as_kwargs=True)
@blp.response(200, description="the table template for batch uploads (CSV or XLSX)")
def template(format: str = "csv") -> Response:
    """The header row of a batch upload (and, in XLSX, a sheet explaining each field)."""
    require_principal()
    if format == "xlsx":
        body, media, name = template_xlsx(FIELD_NOTES), XLSX_MEDIA, "clearance-events.xlsx"
    else:
        body, media, name = template_csv(), f"{CSV_MEDIA}; charset=utf-8", "clearance-events.csv"
    return Response(body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/recent", methods=["GET"])
@blp.response(200, RecentSchema)
def recent() -> dict[str, Any]:
    """The newest publishes (from the audit) of the caller's terminal or enterprise; all for the port office."""
    principal = require_principal()
    everyone = principal.role == Role.PORT_OFFICE.value
    rows = recent_publishes(db_session(), principal.terminal or principal.uscc, everyone)
    return {"items": [audit_entry(row) for row in rows]}
