"""What GET /api/v1/audit takes and returns (the OpenAPI document is generated from these)."""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import validate

from models.audit_log import KINDS


class AuditLogQuerySchema(ma.Schema):
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(KINDS))
    actor = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                             metadata={"description": "exactly this user, name tried at login, or operator"})
    since = ma.fields.AwareDateTime(load_default=None, default_timezone=timezone.utc,
                                    metadata={"description": "entries at or after this time (RFC 3339; UTC if no offset)"})
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditLogEntrySchema(ma.Schema):
    """Who did what, when."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.String(required=True, metadata={"format": "date-time", "description": "UTC, RFC 3339"})
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    outcome = ma.fields.String(required=True, metadata={"enum": ["ok", "failed", "throttled"]})
    actor = ma.fields.String(required=True, metadata={"description": "the user, the name a login tried, or the "
                                                                     "operator of a replay or a prune"})
    user_id = ma.fields.Integer(allow_none=True, required=True)
    token_id = ma.fields.Integer(allow_none=True, required=True, metadata={"description": "the API token used "
                                                                                         "(never its value)"})
    address = ma.fields.String(allow_none=True, required=True, metadata={"description": "the client's address"})
    request_id = ma.fields.String(allow_none=True, required=True)
    summary = ma.fields.String(required=True)
    detail = ma.fields.Dict(allow_none=True, required=True, metadata={
        "description": "by kind: publish {token_id, token_label, channel, accepted, rejected, principal}; "
                       "rule_edit {rule_id, action, step, terminal, size, changed: {setting: [before, after]}}; "
                       "dlq_replay {dlq_topic, events_topic, again, letters}; "
                       "audit_prune {deleted, cutoff, retention_days}"})


class AuditLogPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditLogEntrySchema), required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
