"""Publishing events over HTTP: validated like any Kafka message, checked against the caller's rights,
and on the topic before the answer."""
