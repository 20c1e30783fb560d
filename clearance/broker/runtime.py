"""Java-side helpers: locating ``java``, building its command line, formatting
storage and probing a running broker with kafka-python."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from .errors import BrokerError

log = logging.getLogger(__name__)

#: Main class of the broker in ``kafka_2.13``.
BROKER_MAIN = "kafka.Kafka"
#: Main class of the storage tool in ``kafka_2.13``.
STORAGE_TOOL_MAIN = "kafka.tools.StorageTool"


def find_java() -> str:
    """Return the ``java`` executable: ``$JAVA_HOME/bin/java`` or the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home, "bin", "java"), os.X_OK):
        return str(Path(java_home, "bin", "java"))
    java = shutil.which("java")
    if java is None:
        raise BrokerError("no 'java' found (set JAVA_HOME or put Java 17+ on PATH)")
    return java


def java_command(java: str, libs: Path, heap: str, log4j_config: Path) -> list[str]:
    """JVM invocation (without main class) tuned for a fast start on a small machine."""
    return [java, f"-Xmx{heap}", f"-Xms{heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j_config}", "-cp", f"{libs}/*"]


def format_storage(java: str, libs: Path, log4j_config: Path, server_properties: Path,
                   cluster_id: str, cwd: Path, timeout: float = 120.0) -> None:
    """Run ``StorageTool format`` (static voters, so no ``--standalone``); raise on failure."""
    cmd = [*java_command(java, libs, "256m", log4j_config), STORAGE_TOOL_MAIN, "format",
           "-t", cluster_id, "-c", str(server_properties), "--ignore-formatted"]
    log.info("running %s", " ".join(cmd))
    try:
        result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                                timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(f"{STORAGE_TOOL_MAIN} format did not finish within {timeout:.0f}s") from exc
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-30:]
        raise BrokerError(f"formatting Kafka storage failed (exit {result.returncode}):\n"
                          + "\n".join(output))


def broker_answers(bootstrap: str, timeout: float) -> bool:
    """True when ``bootstrap`` returns cluster metadata listing at least one broker."""
    from kafka import KafkaAdminClient  # lazy: keeps importing clearance.broker light
    from kafka.errors import KafkaError

    ms = max(int(timeout * 1000), 1000)
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="clearance-broker-probe",
                                 request_timeout_ms=ms, bootstrap_timeout_ms=ms,
                                 reconnect_backoff_max_ms=500)
    except (KafkaError, OSError, ValueError) as exc:
        log.debug("broker probe failed: %r", exc)
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError, ValueError) as exc:
        log.debug("broker probe failed: %r", exc)
        return False
    finally:
        admin.close()
