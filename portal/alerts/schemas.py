"""What the alert endpoints take and return (the OpenAPI document is generated from these)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

_TIME = {"format": "date-time", "description": "UTC, RFC 3339"}
STATES = ("open", "acknowledged", "cleared")


def _time(description: str = "UTC, RFC 3339") -> ma.fields.String:
    return ma.fields.String(allow_none=True, required=True, metadata={**_TIME, "description": description})


class AlertSchema(ma.Schema):
    """One overdue step of a container visit, at one tier."""

    id = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True, metadata={"description": "goes up with every change"})
    container_no = ma.fields.String(required=True)
    visit = ma.fields.String(required=True, metadata={"description": "DIRECTION/IMO/VOYAGE ('-' if unknown)"})
    direction = ma.fields.String(required=True)
    terminal = ma.fields.String(allow_none=True, required=True)
    enterprise_uscc = ma.fields.String(allow_none=True, required=True)
    declarant_uscc = ma.fields.String(allow_none=True, required=True)
    step = ma.fields.String(required=True, metadata={"description": "the time limit's step (GET /api/v1/alert-rules)"})
    step_en = ma.fields.String(required=True)
    step_zh = ma.fields.String(required=True)
    tier = ma.fields.String(required=True, metadata={"enum": ["WARNING", "ALARM"]})
    state = ma.fields.String(required=True, metadata={"enum": ["OPEN", "ACKNOWLEDGED", "CLEARED"]})
    rule_id = ma.fields.Integer(required=True)
    threshold_seconds = ma.fields.Integer(required=True, metadata={"description": "of this tier, when raised"})
    started_at = _time("when the step started (its start milestone)")
    due_at = _time("started_at + threshold_seconds")
    raised_at = _time()
    acknowledged_at = _time()
    acknowledged_by = ma.fields.String(allow_none=True, required=True)
    acknowledge_reason = ma.fields.String(allow_none=True, required=True)
    cleared_at = _time()
    cleared_reason = ma.fields.String(allow_none=True, required=True, metadata={
        "enum": ["COMPLETED", "WITHDRAWN", "ESCALATED", "RULE_DISABLED", None]})
    completed_at = _time("when the step ended (COMPLETED)")
    took_seconds = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "completed_at - started_at (at least 0)"})
    late_seconds = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "completed_at - due_at: how late the step ended (negative: in time, reported late)"})


class AlertQuerySchema(ma.Schema):
    state = ma.fields.String(load_default="open", validate=validate.OneOf(STATES))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AlertPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AlertSchema), required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)


class AcknowledgeSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=[validate.Length(min=1, max=500),
                                                       validate.Regexp(r"(?s).*\S", error="must not be blank")],
                              metadata={"description": "why the step is late, or what is being done"})
