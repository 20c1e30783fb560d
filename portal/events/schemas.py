"""What POST /api/v1/events answers. The request is one contract event object or a list of them: the
`ClearanceEvent` component, generated from `events.schema.EventSchema`."""
from __future__ import annotations

from typing import Any

import marshmallow as ma

EVENT_COMPONENT = "ClearanceEvent"


class RejectionSchema(ma.Schema):
    index = ma.fields.Integer(required=True, metadata={"description": "position in the request (0 for one object)"})
    reasons = ma.fields.List(ma.fields.String(), required=True)


class PublishResultSchema(ma.Schema):
    accepted = ma.fields.List(ma.fields.String(), required=True,
                              metadata={"description": "event_id of every event now on the events topic"})
    rejected = ma.fields.List(ma.fields.Nested(RejectionSchema), required=True)
    error = ma.fields.String(metadata={"description": "no_event_accepted, when none was"})
    message = ma.fields.String()


def request_body(max_events: int) -> dict[str, Any]:
    """The requestBody of the operation, pointing at the generated event component."""
    ref = {"$ref": f"#/components/schemas/{EVENT_COMPONENT}"}
    one_or_many = {"oneOf": [ref, {"type": "array", "items": ref, "minItems": 1, "maxItems": max_events}]}
    return {"required": True, "content": {"application/json": {"schema": one_or_many}}}
