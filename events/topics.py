"""Every Kafka topic the system uses, and the headers of a dead letter. One place names them all."""
from __future__ import annotations

EVENTS_TOPIC = "clearance.events"
DLQ_TOPIC = "clearance.events.dlq"
UPDATES_TOPIC = "clearance.updates"
ALERTS_TOPIC = "clearance.alerts"  # each new or changed overdue alert, from the watcher to the portals

# Headers a dead letter carries beside the original bytes (value) and key.
DLQ_REASON = "dlq.reason"
DLQ_SOURCE_TOPIC = "dlq.source.topic"
DLQ_SOURCE_PARTITION = "dlq.source.partition"
DLQ_SOURCE_OFFSET = "dlq.source.offset"
# On a letter that with these headers was too large for the topic, and went cut: the original's size in
# bytes (key, value and headers). It keeps the first CLEARANCE_MAX_MESSAGE_BYTES of its value, not its headers.
DLQ_CUT = "dlq.cut"
DLQ_HEADER_PREFIX = "dlq."  # the dead-letter topic's own headers; a message's own ones are kept beside them

# Set by `clearance dlq replay` on a dead letter it sends to the events topic again: which one it was,
# as "<dead-letter topic>[<partition>]@<offset>". Replaces the one a replayed letter already had.
REPLAY_OF_HEADER = "clearance-replay-of"

# Set by the portal on every event it publishes: who the authenticated caller was ("role:binding:name").
# Never copied from a client; publishers writing to Kafka directly are trusted feeds.
PRINCIPAL_HEADER = "clearance-principal"
