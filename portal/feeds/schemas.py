"""What GET /api/v1/feeds answers."""
from __future__ import annotations

import marshmallow as ma

_TIME = {"format": "date-time", "description": "UTC, RFC 3339"}


class LatestDeadLetterSchema(ma.Schema):
    at = ma.fields.String(required=True, metadata=_TIME)
    reason = ma.fields.String(required=True)
    original = ma.fields.String(required=True, metadata={
        "description": "the original message as escaped text (control characters and < > & as \\u escapes, "
                       "invalid UTF-8 as \\x escapes), cut to 600 characters: never markup"})
    partition = ma.fields.Integer(required=True, metadata={"description": "in the dead-letter topic"})
    offset = ma.fields.Integer(required=True)
    source_offset = ma.fields.String(allow_none=True, metadata={"description": "dlq.source.offset"})


class PublisherHealthSchema(ma.Schema):
    publisher = ma.fields.String(required=True, metadata={"description": "(unknown) when a dead letter names none"})
    source = ma.fields.String(allow_none=True, required=True)
    accepted_last_hour = ma.fields.Integer(required=True, metadata={
        "description": "stored events whose occurred_at is in the last hour"})
    last_event_at = ma.fields.String(allow_none=True, required=True, metadata=_TIME)
    silent = ma.fields.Boolean(required=True, metadata={
        "description": "no ACTUAL event for longer than silent_after_seconds"})
    usual_gap_seconds = ma.fields.Float(allow_none=True, required=True, metadata={
        "description": "90th percentile of the gaps between its last 200 events (none below 5)"})
    silent_after_seconds = ma.fields.Float(required=True)
    dead_letters = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
                                  metadata={"description": "reason -> count, within the window"})
    latest_dead_letters = ma.fields.List(ma.fields.Nested(LatestDeadLetterSchema), required=True,
                                         metadata={"description": "the newest 5, newest first"})


class FeedsSchema(ma.Schema):
    as_of = ma.fields.String(required=True, metadata=_TIME)
    dead_letter_window_seconds = ma.fields.Float(required=True)
    publishers = ma.fields.List(ma.fields.Nested(PublisherHealthSchema), required=True)
    dead_letters_unavailable = ma.fields.String(allow_none=True, metadata={
        "description": "why the dead-letter topic could not be read (the stored part is still shown)"})
    dead_letters_truncated = ma.fields.Boolean(metadata={"description": "the window held more than was read"})
