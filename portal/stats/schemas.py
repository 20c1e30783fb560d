"""What the figures endpoints take and return (the OpenAPI document is generated from these)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from events.vocabulary import Direction, Stage
from models.measures import FIGURE_NAMES
from models.milestones import LANE_CODES
from portal.stats.queries import GROUP_BY

MAX_DAYS = 400
_DIRECTIONS = [d.value for d in Direction]
_HOURS = {"description": "hours"}


class FormatSchema(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]), metadata={
        "description": "csv: the rows behind the figures (text/csv with a header row)"})


class ScopeSchema(FormatSchema):
    """The filters every period figure takes."""

    direction = ma.fields.String(required=True, validate=validate.OneOf(_DIRECTIONS))
    period_from = ma.fields.Date(data_key="from", metadata={
        "description": "first Asia/Shanghai day, inclusive (default: 30 days before `to`)"})
    period_to = ma.fields.Date(data_key="to", metadata={
        "description": "Asia/Shanghai day after the last, exclusive (default: tomorrow)"})
    terminal = ma.fields.String(validate=validate.Regexp(r"[A-Za-z0-9_-]{1,16}\Z"))
    lane = ma.fields.String(validate=validate.OneOf(LANE_CODES))
    inspected = ma.fields.Boolean()

    @ma.validates_schema
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("period_from"), data.get("period_to")
        if start is not None and end is not None:
            if end <= start:
                raise ma.ValidationError("must be a later day than from", "to")
            if (end - start).days > MAX_DAYS:
                raise ma.ValidationError(f"at most {MAX_DAYS} days after from", "to")


class ClearanceTimeQuerySchema(ScopeSchema):
    measure = ma.fields.String(load_default="gacc", validate=validate.OneOf(FIGURE_NAMES), metadata={
        "description": "gacc (整体通关时间), customs, port_logistics (通关物流全程时间) or dwell"})
    group_by = ma.fields.String(load_default="none", validate=validate.OneOf(GROUP_BY))
    within = ma.fields.List(ma.fields.Float(validate=validate.Range(min=0.0, max=24.0 * MAX_DAYS,
                                                                    min_inclusive=False)),
                            validate=validate.Length(min=1, max=50), metadata={
        "description": "hours at which to give the share ended (repeat the parameter; a default set)"})


class NowQuerySchema(FormatSchema):
    direction = ma.fields.String(validate=validate.OneOf(_DIRECTIONS))
    terminal = ma.fields.String(validate=validate.Regexp(r"[A-Za-z0-9_-]{1,16}\Z"))


class GroupSchema(ma.Schema):
    key = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "the group: null (group_by=none or unknown), a day YYYY-MM-DD, a terminal, a "
                       "declarant USCC, a lane, or true/false (inspected)"})
    count = ma.fields.Integer(required=True, metadata={"description": "visits ended, from a known start"})
    mean = ma.fields.Float(allow_none=True, required=True, metadata=_HOURS)
    p50 = ma.fields.Float(allow_none=True, required=True, metadata=_HOURS)
    p90 = ma.fields.Float(allow_none=True, required=True, metadata=_HOURS)
    max = ma.fields.Float(allow_none=True, required=True, metadata=_HOURS)


class ExcludedSchema(ma.Schema):
    negative_interval = ma.fields.Integer(required=True, metadata={"description": "ended before it started"})
    missing_start = ma.fields.Integer(required=True, metadata={"description": "ended, start unknown"})


class SurvivalPointSchema(ma.Schema):
    hours = ma.fields.Float(required=True)
    share_ended = ma.fields.Float(required=True, metadata={
        "description": "Kaplan–Meier estimate, open visits censored at now"})


class _PeriodSchema(ma.Schema):
    direction = ma.fields.String(required=True)
    from_ = ma.fields.String(data_key="from", attribute="from", required=True, metadata={"format": "date"})
    to = ma.fields.String(required=True, metadata={"format": "date"})
    unit = ma.fields.String(required=True, metadata={"enum": ["hours"]})


class ClearanceTimeSchema(_PeriodSchema):
    measure = ma.fields.String(required=True)
    groups = ma.fields.List(ma.fields.Nested(GroupSchema), required=True)
    open = ma.fields.Integer(required=True, metadata={"description": "started in the period, not ended"})
    excluded = ma.fields.Nested(ExcludedSchema, required=True)
    survival = ma.fields.List(ma.fields.Nested(SurvivalPointSchema), required=True)
    port_p50 = ma.fields.Float(allow_none=True, required=True, metadata={
        "description": "for an enterprise: the port-wide median with the same filters; null otherwise"})


class StageGroupSchema(GroupSchema):
    en = ma.fields.String(required=True)
    zh = ma.fields.String(required=True)
    start = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "milestone columns"})
    end = ma.fields.String(required=True)
    port_p50 = ma.fields.Float(allow_none=True, required=True)


class StagesSchema(_PeriodSchema):
    groups = ma.fields.List(ma.fields.Nested(StageGroupSchema), required=True)


class StageCountSchema(ma.Schema):
    stage = ma.fields.String(required=True, metadata={"enum": [s.value for s in Stage]})
    count = ma.fields.Integer(required=True)


class NowSchema(ma.Schema):
    at = ma.fields.String(required=True, metadata={"format": "date-time"})
    direction = ma.fields.String(allow_none=True, required=True)
    terminal = ma.fields.String(allow_none=True, required=True)
    active = ma.fields.Integer(required=True, metadata={
        "description": "visits under way: an ACTUAL event, not yet gone (import gate-out, export vessel "
                       "departure), active in the last 90 days"})
    stages = ma.fields.List(ma.fields.Nested(StageCountSchema), required=True)
    inspected = ma.fields.Integer(required=True)
    inspection_rate = ma.fields.Float(allow_none=True, required=True)
    active_holds = ma.fields.Integer(required=True)
    open_alerts = ma.fields.Integer(required=True)
