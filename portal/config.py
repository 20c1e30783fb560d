"""The portal's configuration: filled by the entry point (`clearance portal`, or a test) from the
environment's settings (clearance.config.portal_config). Nothing in `portal` reads the environment or
imports the command-line package."""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from events import topics

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECRET_FILE = "portal-secret"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class PortalConfig:
    secret_key: str
    database_url: str
    kafka_bootstrap_servers: str
    events_topic: str = topics.EVENTS_TOPIC
    events_partitions: int = 4  # when the portal has to create the events topic itself
    updates_topic: str = topics.UPDATES_TOPIC
    alerts_topic: str = topics.ALERTS_TOPIC
    dlq_topic: str = topics.DLQ_TOPIC
    max_message_bytes: int = 65536
    portal_host: str = "127.0.0.1"
    data_dir: Path = Path("data")  # where the live-client count is written (portal.live.presence)
    testing: bool = False
    async_mode: str = "threading"  # "gevent" under `clearance portal`
    live_feed: bool = True  # read the change feed for Socket.IO (tests of the HTTP API turn it off)
    static_dir: Path = STATIC_DIR
    login_failure_limit: int = 5
    login_failure_window_seconds: int = 15 * 60
    publish_timeout_seconds: float = 15.0
    write_wait_seconds: float = 5.0  # a writing request waits this long for the database's write lock
    portal_token_rate: float = 10.0  # requests a second per API token, in this process (0: no limit)
    portal_token_burst: int = 100  # requests a token may make at once before the rate applies

    @property
    def secure_cookies(self) -> bool:
        """Session cookies are Secure unless the portal listens on loopback over plain HTTP."""
        return self.portal_host not in LOOPBACK


def secret_key_for(configured: str | None, data_dir: Path) -> str:
    """The configured key (PORTAL_SECRET_KEY), else the key kept in <data_dir>/portal-secret, generated
    (mode 0600) the first time, so that every portal process on this machine signs sessions with the
    same key."""
    if configured:
        return configured
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    log.info("generated the portal's secret key in %s", path)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable secret key (delete it to generate a new one)")
    return key
