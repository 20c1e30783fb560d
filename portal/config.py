"""The portal's configuration: built by `clearance portal` (or a test) from `clearance.config.Settings`.
Nothing in `portal` reads the environment."""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from clearance.config import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECRET_FILE = "portal-secret"


@dataclass(frozen=True)
class PortalConfig:
    settings: Settings
    secret_key: str
    testing: bool = False
    async_mode: str = "threading"  # "gevent" under `clearance portal`
    live_feed: bool = True  # read the change feed for Socket.IO (tests of the HTTP API turn it off)
    static_dir: Path = PROJECT_ROOT / "static"
    login_failure_limit: int = 5
    login_failure_window_seconds: int = 15 * 60
    publish_timeout_seconds: float = 15.0
    write_wait_seconds: float = 5.0  # a writing request waits this long for the database's write lock

    @property
    def database_url(self) -> str:
        return self.settings.database_url

    @property
    def kafka_bootstrap_servers(self) -> str:
        return self.settings.kafka_bootstrap_servers

    @property
    def events_topic(self) -> str:
        return self.settings.events_topic

    @property
    def secure_cookies(self) -> bool:
        """Session cookies are Secure unless the portal listens on loopback over plain HTTP."""
        return self.settings.portal_host not in LOOPBACK


def secret_key_for(settings: Settings) -> str:
    """PORTAL_SECRET_KEY, else the key kept in <data_dir>/portal-secret, generated (mode 0600) the first
    time, so that every portal process on this machine signs sessions with the same key."""
    if settings.portal_secret_key:
        return settings.portal_secret_key
    path = Path(settings.data_dir) / SECRET_FILE
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
