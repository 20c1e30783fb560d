"""What the /api/v1/events endpoints take and answer. The POST body is one contract event object or a
list of them (the `ClearanceEvent` component, generated from `events.schema.EventSchema`), or a table."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from models.audit import PublishAudit
from portal.events.tables import CSV_MEDIA, XLSX_MEDIA

EVENT_COMPONENT = "ClearanceEvent"
DRY_RUN_TRUE = frozenset({"1", "true", "yes"})
_CODE = validate.Regexp(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,15}\Z")


class PublishQuerySchema(ma.Schema):
    dry_run = ma.fields.Boolean(load_default=False, truthy=set(DRY_RUN_TRUE), falsy={"", "0", "false", "no"},
                                metadata={"description": "1: check every event as publishing would, publish "
                                                         "nothing (answers 200 instead of 202)"})
    terminal = ma.fields.String(validate=_CODE, metadata={
        "description": "tables only: the terminal whose rows these are, when a row names no publisher "
                       "(the port office publishing for a terminal; a terminal's own code by default)"})


class TemplateQuerySchema(ma.Schema):
    format = ma.fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class RejectionSchema(ma.Schema):
    index = ma.fields.Integer(required=True, metadata={
        "description": "position in the request (0 for one object); for a table, the data row from 0"})
    reasons = ma.fields.List(ma.fields.String(), required=True)


class TableRowSchema(ma.Schema):
    index = ma.fields.Integer(required=True, metadata={"description": "data row from 0 (blank rows left out)"})
    document = ma.fields.Dict(required=True, metadata={"description": "the row as read, defaults filled in"})
    event = ma.fields.Dict(metadata={"description": "valid rows: the event it makes (normal form)"})


class PublishResultSchema(ma.Schema):
    accepted = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "event_id of every event now on the events topic (dry run: that would be)"})
    rejected = ma.fields.List(ma.fields.Nested(RejectionSchema), required=True)
    rows = ma.fields.List(ma.fields.Nested(TableRowSchema), metadata={
        "description": "tables only: every data row as read"})
    dry_run = ma.fields.Boolean()
    error = ma.fields.String(metadata={"description": "no_event_accepted, when none was"})
    message = ma.fields.String()


class AuditEntrySchema(ma.Schema):
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    user = ma.fields.String(required=True, metadata={"description": "the clearance-principal of the caller"})
    credential = ma.fields.String(required=True, metadata={"description": "session (the page) or token (API)"})
    channel = ma.fields.String(required=True, metadata={"description": "json, csv or xlsx"})
    row_index = ma.fields.Integer(required=True)
    outcome = ma.fields.String(required=True, metadata={"description": "accepted or rejected"})
    event_id = ma.fields.String(allow_none=True)
    publisher = ma.fields.String(allow_none=True)
    type = ma.fields.String(allow_none=True)
    container_no = ma.fields.String(allow_none=True)
    reasons = ma.fields.List(ma.fields.String(), required=True)


class RecentSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditEntrySchema), required=True)


def audit_entry(row: PublishAudit) -> dict[str, Any]:
    return {"at": row.at.isoformat().replace("+00:00", "Z"), "user": row.principal, "credential": row.credential,
            "channel": row.channel, "row_index": row.row_index, "outcome": row.outcome, "event_id": row.event_id,
            "publisher": row.publisher, "type": row.type, "container_no": row.container_no,
            "reasons": row.reasons or []}


def request_body(max_events: int) -> dict[str, Any]:
    """The requestBody of the operation, pointing at the generated event component."""
    ref = {"$ref": f"#/components/schemas/{EVENT_COMPONENT}"}
    one_or_many = {"oneOf": [ref, {"type": "array", "items": ref, "minItems": 1, "maxItems": max_events}]}
    table = {"schema": {"type": "string", "format": "binary"},
             "description": f"a header row of contract fields, then one event per row (at most {max_events})"}
    return {"required": True, "content": {"application/json": {"schema": one_or_many},
                                          CSV_MEDIA: table, XLSX_MEDIA: table}}
