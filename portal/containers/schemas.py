"""What the container endpoints take and return (the OpenAPI document is generated from these)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from events.vocabulary import EVENT_TYPES, Direction, Stage

_STAGE_OR_TYPE = [s.value for s in Stage] + sorted(EVENT_TYPES)
_TIME = {"format": "date-time", "description": "UTC, RFC 3339"}


class ContainerQuerySchema(ma.Schema):
    q = ma.fields.String(validate=validate.Regexp(r"[A-Za-z0-9][A-Za-z0-9_./\-]{0,40}\Z"),
                         metadata={"description": "start of a container number, B/L number or declaration "
                                                  "number (case-insensitive)"})
    stage = ma.fields.String(validate=validate.OneOf(_STAGE_OR_TYPE),
                             metadata={"description": "a stage (DECLARATION, MANIFEST, ARRIVAL, INSPECTION, "
                                                      "RELEASE, VESSEL_AND_YARD): visits whose current event "
                                                      "type is of that stage; or an event type name: visits "
                                                      "whose current type is that one"})
    direction = ma.fields.String(validate=validate.OneOf([d.value for d in Direction]))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class TypeLabelSchema(ma.Schema):
    type = ma.fields.String(required=True)
    stage = ma.fields.String(required=True)
    en = ma.fields.String(required=True)
    zh = ma.fields.String(required=True)


class EntrySchema(TypeLabelSchema):
    """One event on a visit's timeline."""

    event_id = ma.fields.String(required=True)
    occurred_at = ma.fields.String(required=True, metadata=_TIME)
    source = ma.fields.String(required=True)
    publisher = ma.fields.String(required=True)
    classifier = ma.fields.String(required=True, metadata={"enum": ["ACTUAL", "ESTIMATED", "PLANNED"]})
    customs_code = ma.fields.String()
    detail = ma.fields.Dict()


class TimelineEntrySchema(EntrySchema):
    took_seconds = ma.fields.Integer(allow_none=True, required=True, metadata={
        "description": "ACTUAL entries: seconds since the previous ACTUAL entry (null for the first); "
                       "null for ESTIMATED and PLANNED entries"})


class FlagSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"enum": ["PRECEDENCE", "WARNING"]})
    message = ma.fields.String(required=True)


class VisitViewSchema(ma.Schema):
    """One visit of a container (direction and vessel call) as the caller may see it."""

    container_no = ma.fields.String(required=True)
    visit = ma.fields.String(required=True, metadata={"description": "DIRECTION/IMO/VOYAGE ('-' if unknown)"})
    direction = ma.fields.String(required=True)
    vessel_imo = ma.fields.String(allow_none=True, required=True)
    voyage = ma.fields.String(allow_none=True, required=True)
    terminal = ma.fields.String(allow_none=True, required=True)
    enterprise_uscc = ma.fields.String(allow_none=True, required=True)
    declarant_uscc = ma.fields.String(allow_none=True, required=True)
    declaration_nos = ma.fields.List(ma.fields.String(), required=True)
    bl_no = ma.fields.String(allow_none=True, required=True)
    current = ma.fields.Nested(EntrySchema, allow_none=True, required=True)
    holds = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    flags = ma.fields.List(ma.fields.Nested(FlagSchema), required=True)
    pending = ma.fields.List(ma.fields.String(), required=True)
    next = ma.fields.Nested(TypeLabelSchema, allow_none=True, required=True)
    abnormal_inspection = ma.fields.Boolean(required=True)
    timeline = ma.fields.List(ma.fields.Nested(TimelineEntrySchema), required=True)


class ContainerViewSchema(ma.Schema):
    container_no = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True, metadata={"description": "goes up whenever the state changes"})
    visits = ma.fields.List(ma.fields.Nested(VisitViewSchema), required=True)


class CurrentSchema(TypeLabelSchema):
    occurred_at = ma.fields.String(required=True, metadata=_TIME)


class ContainerSummarySchema(ma.Schema):
    """One visit in a list."""

    container_no = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    visit = ma.fields.String(required=True)
    direction = ma.fields.String(required=True)
    vessel_imo = ma.fields.String(allow_none=True, required=True)
    voyage = ma.fields.String(allow_none=True, required=True)
    terminal = ma.fields.String(allow_none=True, required=True)
    bl_no = ma.fields.String(allow_none=True, required=True)
    declaration_nos = ma.fields.List(ma.fields.String(), required=True)
    current = ma.fields.Nested(CurrentSchema, allow_none=True, required=True)
    holds = ma.fields.Integer(required=True, metadata={"description": "active holds"})
    flags = ma.fields.Integer(required=True)
    abnormal_inspection = ma.fields.Boolean(required=True)
    last_event_at = ma.fields.String(allow_none=True, required=True, metadata=_TIME)


class ContainerPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ContainerSummarySchema), required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "matching visits in all"})
