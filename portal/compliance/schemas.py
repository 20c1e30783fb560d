"""What the compliance and offenders endpoints take and return."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

MAX_DAYS = 366


class PeriodQuerySchema(ma.Schema):
    """Asia/Shanghai days, both included; by default the 7 days up to today."""

    first_day = ma.fields.Date(data_key="from", load_default=None)
    last_day = ma.fields.Date(data_key="to", load_default=None)
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and first > last:
            raise ma.ValidationError("must not be after `to`", "from")
        if first and last and (last - first).days >= MAX_DAYS:
            raise ma.ValidationError(f"a period is at most {MAX_DAYS} days", "from")


class ComplianceRowSchema(ma.Schema):
    day = ma.fields.String(required=True, metadata={"description": "Asia/Shanghai day the steps started"})
    terminal = ma.fields.String(allow_none=True, required=True)
    step = ma.fields.String(required=True)
    rule_id = ma.fields.Integer(required=True)
    steps = ma.fields.Integer(required=True, metadata={"description": "completed, or open past the limit"})
    within = ma.fields.Integer(required=True, metadata={"description": "completed within alarm_seconds"})
    late = ma.fields.Integer(required=True)
    share_within = ma.fields.Float(allow_none=True, required=True)
    commitment_percent = ma.fields.Float(allow_none=True, required=True)
    meets_commitment = ma.fields.Boolean(allow_none=True, required=True)


class ComplianceSchema(ma.Schema):
    first_day = ma.fields.String(data_key="from", required=True)
    last_day = ma.fields.String(data_key="to", required=True)
    items = ma.fields.List(ma.fields.Nested(ComplianceRowSchema), required=True)


class OffenderSchema(ma.Schema):
    party = ma.fields.String(required=True, metadata={"description": "terminal code or declarant USCC"})
    alarms = ma.fields.Integer(required=True)
    containers = ma.fields.Integer(required=True)
    by_step = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class OffendersSchema(ma.Schema):
    first_day = ma.fields.String(data_key="from", required=True)
    last_day = ma.fields.String(data_key="to", required=True)
    terminals = ma.fields.List(ma.fields.Nested(OffenderSchema), required=True)
    declarants = ma.fields.List(ma.fields.Nested(OffenderSchema), required=True)
