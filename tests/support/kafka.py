"""Find a Kafka broker for tests: env var, then a Docker container, then a local broker."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

#: Ports of the local fallback broker (kept apart from a developer's 9092 broker).
LOCAL_PORT = 39092
LOCAL_CONTROLLER_PORT = 39093


def _noop() -> None:
    return None


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "no usable engine"
        log.debug("no Docker engine: %r", exc)
        return False


def _kafka_container_class() -> type:
    try:
        from testcontainers.community.kafka import KafkaContainer  # type: ignore[import-untyped]
    except ImportError:
        from testcontainers.kafka import KafkaContainer  # type: ignore[import-untyped,no-redef]
    return KafkaContainer


def find_broker(local_home: Path, cache_dir: Path) -> tuple[str, Callable[[], None]]:
    """Return ``(bootstrap, cleanup)`` for a Kafka broker the tests can use.

    Order: ``$KAFKA_BOOTSTRAP_SERVERS`` (cleanup does nothing); a testcontainers
    ``KafkaContainer`` when a Docker engine answers a ping; otherwise
    ``LocalKafka(local_home, cache_dir, port=39092, controller_port=39093).start()``
    (cleanup stops it). Raises RuntimeError listing every attempt when none works.
    """
    env = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if env:
        return env, _noop

    failures: list[str] = []
    if _docker_answers():
        try:
            container = _kafka_container_class()()
            container.start()
        except Exception as exc:  # noqa: BLE001 - fall back to the local broker
            failures.append(f"testcontainers KafkaContainer: {exc!r}")
            log.warning("Kafka container failed, falling back to a local broker: %r", exc)
        else:
            return container.get_bootstrap_server(), container.stop
    else:
        failures.append("Docker: no engine answered a ping")

    try:
        from clearance.broker import LocalKafka

        broker = LocalKafka(Path(local_home), Path(cache_dir),
                            port=LOCAL_PORT, controller_port=LOCAL_CONTROLLER_PORT)
        already_running = broker.status().running
        bootstrap = broker.start(progress=lambda msg: log.info("%s", msg))
    except Exception as exc:  # noqa: BLE001 - reported below with the other attempts
        failures.append(f"local broker in {local_home}: {exc}")
    else:
        def cleanup() -> None:
            if not already_running:  # another test session started it and still uses it
                broker.stop()

        return bootstrap, cleanup

    raise RuntimeError(
        "No Kafka broker for the tests. Set KAFKA_BOOTSTRAP_SERVERS, run a Docker engine, or "
        "make Java 17+ and Maven available for the local broker. Attempts:\n- "
        + "\n- ".join(failures)
    )
