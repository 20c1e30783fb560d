"""A publisher that gets every message onto the topic whatever the brokers do: the producer retries
leader changes and a cluster that is away (idempotent, for up to five minutes a message), and a message
whose send still failed is sent again until it is acknowledged. A re-send after a lost acknowledgement
can put a message on the topic twice; the checks read what the topic holds, not what was sent."""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from kafka.errors import KafkaError

from clearance.simulate import SimMessage
from events.kafka import make_producer

CHUNK = 1000
GIVE_UP = 600.0  # seconds a message may keep failing before the test fails


class Publisher(threading.Thread):
    """Publishes `messages` in chunks of CHUNK, `pause` seconds apart, in a thread of its own."""

    def __init__(self, bootstrap: str, topic: str, messages: Sequence[SimMessage], pause: float = 0.2) -> None:
        super().__init__(name="fault-publisher", daemon=True)
        self.bootstrap, self.topic, self.messages, self.pause = bootstrap, topic, messages, pause
        self.sent = 0  # acknowledged so far
        self.resent = 0  # sends repeated after a failure
        self.error: BaseException | None = None

    def run(self) -> None:
        producer = make_producer(self.bootstrap, linger_ms=20, max_in_flight_requests_per_connection=5,
                                 retries=1_000_000, delivery_timeout_ms=300_000, request_timeout_ms=10_000)
        try:
            for start in range(0, len(self.messages), CHUNK):
                self._publish(producer, self.messages[start:start + CHUNK])
                time.sleep(self.pause)
        except BaseException as error:  # noqa: BLE001 - reported by finish()
            self.error = error
        finally:
            producer.close(timeout=10)

    def _publish(self, producer, chunk: Sequence[SimMessage]) -> None:  # type: ignore[no-untyped-def]
        pending = list(chunk)
        deadline = time.monotonic() + GIVE_UP
        while pending:
            futures = [(m, producer.send(self.topic, key=m.key, value=m.value)) for m in pending]
            producer.flush()
            failed = []
            for message, future in futures:
                try:
                    future.get(timeout=60)
                except KafkaError:
                    failed.append(message)
            self.sent += len(pending) - len(failed)
            if failed and time.monotonic() > deadline:
                raise RuntimeError(f"{len(failed)} messages still refused after {GIVE_UP:.0f}s")
            if failed:
                self.resent += len(failed)
                time.sleep(1.0)
            pending = failed

    def finish(self, timeout: float = 900.0) -> None:
        """Wait until everything is published; raise what stopped the thread."""
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"publishing did not finish in {timeout:.0f}s ({self.sent} sent)")
        if self.error is not None:
            raise AssertionError(f"publishing failed after {self.sent} messages: {self.error!r}")
