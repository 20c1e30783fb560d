"""Operators' tools for the dead-letter topic (`clearance dlq list|show|replay`): read it without a
consumer group, pick letters by reason, publisher and time, and send chosen ones through the events topic
again, recording each replay in the database (models.dead_letter_replays)."""
