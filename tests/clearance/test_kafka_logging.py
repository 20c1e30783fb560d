"""A connection a broker dropped is one WARNING line in a clearance process's log, not a stack; every
other error keeps its stack."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from clearance.kafka_logging import ConnectionLossesInOneLine, tame_kafka_logs


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """The root logger writing to a string, as `clearance` configures it, with kafka's logs tamed."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    tame_kafka_logs(logging.INFO)
    yield text
    root.handlers[:], level = saved
    root.setLevel(level)


def log_exception(logger: str, error: BaseException) -> None:
    try:
        raise error
    except BaseException:
        logging.getLogger(logger).exception("<transport 127.0.0.1:9092>: Error receiving network data closing socket")


def test_a_connection_reset_by_a_broker_is_one_warning_line(log_text: io.StringIO) -> None:
    log_exception("kafka.net.transport", ConnectionResetError(104, "Connection reset by peer"))
    assert log_text.getvalue().splitlines() == [
        "WARNING kafka.net.transport: <transport 127.0.0.1:9092>: Error receiving network data closing socket: "
        "ConnectionResetError: [Errno 104] Connection reset by peer"]


@pytest.mark.parametrize("logger, error", [
    ("kafka.net.transport", ValueError("a bug in the library")),
    ("ingest.runner", ConnectionResetError(104, "Connection reset by peer")),
])
def test_any_other_error_keeps_its_stack(log_text: io.StringIO, logger: str, error: BaseException) -> None:
    log_exception(logger, error)
    lines = log_text.getvalue().splitlines()
    assert lines[0].startswith(f"ERROR {logger}: ") and "Traceback (most recent call last):" in lines
    assert lines[-1] == f"{type(error).__name__}: {error}"


def test_taming_twice_adds_one_filter(log_text: io.StringIO) -> None:
    tame_kafka_logs(logging.INFO)
    handler = logging.getLogger().handlers[0]
    assert sum(isinstance(f, ConnectionLossesInOneLine) for f in handler.filters) == 1
    assert logging.getLogger("kafka").level == logging.WARNING
