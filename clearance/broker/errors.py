"""Exception type shared by the local Kafka broker helpers."""

from __future__ import annotations


class BrokerError(RuntimeError):
    """Raised when the local Kafka broker cannot be fetched, formatted or started."""
