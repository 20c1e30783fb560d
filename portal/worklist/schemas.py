"""What GET /api/v1/worklist answers."""
from __future__ import annotations

import marshmallow as ma

_TIME = {"format": "date-time", "description": "UTC, RFC 3339"}


class WaitingSchema(ma.Schema):
    container_no = ma.fields.String(required=True)
    visit = ma.fields.String(required=True)
    direction = ma.fields.String(required=True)
    vessel_imo = ma.fields.String(allow_none=True)
    voyage = ma.fields.String(allow_none=True)
    terminal = ma.fields.String(allow_none=True)
    bl_no = ma.fields.String(allow_none=True)
    enterprise_uscc = ma.fields.String(allow_none=True)
    step = ma.fields.String(required=True, metadata={
        "description": "REPOSITION, REPOSITIONED, ARRIVAL_REPORT, LOAD or GATE_OUT"})
    next_type = ma.fields.String(required=True, metadata={"description": "the event that ends the wait"})
    since = ma.fields.String(required=True, metadata=_TIME)
    waited_seconds = ma.fields.Float(required=True)
    level = ma.fields.String(required=True, metadata={"description": "ok, warning or alarm"})
    warning_seconds = ma.fields.Float(required=True)
    alarm_seconds = ma.fields.Float(required=True)
    holds = ma.fields.Integer(required=True, metadata={"description": "active holds on the visit"})


class WorklistSchema(ma.Schema):
    as_of = ma.fields.String(required=True, metadata=_TIME)
    items = ma.fields.List(ma.fields.Nested(WaitingSchema), required=True,
                           metadata={"description": "the longest wait first, at most 500"})
