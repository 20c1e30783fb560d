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

# Set by the portal on every event it publishes: who the authenticated caller was ("role:binding:name").
# Never copied from a client; publishers writing to Kafka directly are trusted feeds.
PRINCIPAL_HEADER = "clearance-principal"
