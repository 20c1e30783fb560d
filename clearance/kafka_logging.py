"""kafka-python's log records, made fit for an operator's log: a connection a broker dropped is one line."""
from __future__ import annotations

import logging


class ConnectionLossesInOneLine(logging.Filter):
    """kafka-python logs the whole stack of every connection a broker drops ("Error receiving network
    data"), although it handles the loss: it closes the socket and connects again. A broker restarted,
    stopped or failed over is routine in a cluster, and a stack in the log reads as a crash. Such a
    record of a `kafka.*` logger becomes a WARNING carrying the error's name and text and no stack.
    Every other record passes unchanged, our own loggers' included."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, ConnectionError) and record.name.startswith("kafka."):
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {error}"
            record.args = None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def tame_kafka_logs(level: int) -> None:
    """kafka-python at WARNING at the most verbose (its INFO is a line per connection), and its dropped
    connections in one line on every handler of the root logger (call after configuring those)."""
    logging.getLogger("kafka").setLevel(max(logging.WARNING, level))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ConnectionLossesInOneLine) for f in handler.filters):
            handler.addFilter(ConnectionLossesInOneLine())
