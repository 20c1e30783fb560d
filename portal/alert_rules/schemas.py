"""What the time-limit rule endpoints take and return."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from models.time_limits import CONTAINER_SIZES, DEFAULT_STEPS

_SECONDS = validate.Range(min=0, max=366 * 86400)


class RuleSchema(ma.Schema):
    """A time limit: a step (from `start` to the first of `ends`), where it applies, its two thresholds."""

    id = ma.fields.Integer(required=True)
    step = ma.fields.String(required=True)
    name_en = ma.fields.String(allow_none=True, required=True)
    name_zh = ma.fields.String(allow_none=True, required=True)
    direction = ma.fields.String(allow_none=True, required=True, metadata={"description": "null: both"})
    start = ma.fields.String(allow_none=True, required=True, metadata={"description": "a visit milestone"})
    ends = ma.fields.List(ma.fields.String(), required=True, metadata={"description": "the first of these ends it"})
    requires = ma.fields.List(ma.fields.String(), required=True,
                              metadata={"description": "milestones that must be there too for the step to count"})
    terminal = ma.fields.String(allow_none=True, required=True, metadata={"description": "null: port-wide"})
    size = ma.fields.Integer(allow_none=True, required=True, metadata={"description": "feet; null: any size"})
    warning_seconds = ma.fields.Integer(allow_none=True, required=True,
                                        metadata={"description": "after the start; null: no warning tier"})
    alarm_seconds = ma.fields.Integer(required=True, metadata={"description": "after the start: the limit"})
    commitment_percent = ma.fields.Float(allow_none=True, required=True, metadata={
        "description": "the published share of steps done within the limit; null: none published"})
    enabled = ma.fields.Boolean(required=True)
    updated_at = ma.fields.String(required=True, metadata={"format": "date-time"})


class RuleListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RuleSchema), required=True)


class RuleSettingsSchema(ma.Schema):
    """PUT: every setting of the rule (warning_seconds < alarm_seconds)."""

    warning_seconds = ma.fields.Integer(required=True, allow_none=True, validate=_SECONDS)
    alarm_seconds = ma.fields.Integer(required=True, validate=_SECONDS)
    commitment_percent = ma.fields.Float(required=True, allow_none=True,
                                         validate=validate.Range(min=0, max=100, min_inclusive=False))
    enabled = ma.fields.Boolean(required=True)


class NewRuleSchema(RuleSettingsSchema):
    """POST: a terminal's own rule for a step, or a rule for one container size."""

    step = ma.fields.String(required=True, validate=validate.OneOf(sorted(DEFAULT_STEPS)))
    terminal = ma.fields.String(load_default=None, allow_none=True,
                                validate=validate.Regexp(r"[A-Z0-9]{2,16}\Z"))
    size = ma.fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf(CONTAINER_SIZES))


class RuleChangeSchema(ma.Schema):
    """Who changed a rule, when, and the rule before and after."""

    id = ma.fields.Integer(required=True)
    rule_id = ma.fields.Integer(required=True)
    changed_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    changed_by = ma.fields.String(required=True)
    action = ma.fields.String(required=True, metadata={"enum": ["create", "update", "delete"]})
    old = ma.fields.Dict(allow_none=True, required=True)
    new = ma.fields.Dict(allow_none=True, required=True)


class RuleChangeListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RuleChangeSchema), required=True)
