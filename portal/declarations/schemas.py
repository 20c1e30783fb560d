"""What GET /api/v1/declarations/<declaration_no> returns."""
from __future__ import annotations

import marshmallow as ma

from portal.containers.schemas import ContainerSummarySchema, TypeLabelSchema


class ReceiptSchema(TypeLabelSchema):
    """One stored event naming the declaration (customs receipt, filing, inspection, release...)."""

    event_id = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    publisher = ma.fields.String(required=True)
    occurred_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    classifier = ma.fields.String(required=True)
    direction = ma.fields.String(required=True)
    customs_code = ma.fields.String(allow_none=True, required=True)
    container_no = ma.fields.String(allow_none=True, required=True)
    containers = ma.fields.List(ma.fields.String(), required=True,
                                metadata={"description": "the covered containers the caller may see"})
    bl_no = ma.fields.String(allow_none=True, required=True)
    enterprise_uscc = ma.fields.String(allow_none=True, required=True)
    declarant_uscc = ma.fields.String(allow_none=True, required=True)
    detail = ma.fields.Dict(allow_none=True, required=True)


class DeclarationSchema(ma.Schema):
    declaration_no = ma.fields.String(required=True)
    receipts = ma.fields.List(ma.fields.Nested(ReceiptSchema), required=True,
                              metadata={"description": "in occurred_at order; retracted events left out"})
    containers = ma.fields.List(ma.fields.Nested(ContainerSummarySchema), required=True,
                                metadata={"description": "the caller's visits that carry this declaration"})
