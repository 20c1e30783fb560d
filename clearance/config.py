"""Configuration from the environment. Only the entry points call `from_environ`; everything below
them receives a `Settings`. Every key is in the README's configuration table with its default."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from events import topics
from events.kafka import TopicSpec
from ingest.settings import IngestSettings

if TYPE_CHECKING:
    from portal.config import PortalConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the key."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    kafka_bootstrap_servers: str
    kafka_cache_dir: Path
    events_topic: str = topics.EVENTS_TOPIC
    dlq_topic: str = topics.DLQ_TOPIC
    updates_topic: str = topics.UPDATES_TOPIC
    alerts_topic: str = topics.ALERTS_TOPIC
    alert_watch_seconds: float = 2.0
    events_partitions: int = 4
    replication_factor: int | None = None  # None: the broker's default.replication.factor
    min_insync_replicas: int | None = None  # None: the broker's min.insync.replicas
    group_id: str = "clearance-ingest"
    instance_id: str | None = None
    session_seconds: float = 10.0
    batch_size: int = 2000
    batch_seconds: float = 0.1
    reach_cache: int = 20000
    dlq_run_limit: int = 1000
    max_message_bytes: int = 65536
    metrics_port: int | None = None  # ingest workers' /metrics, /healthz, /readyz; 0: any free port
    metrics_host: str = "127.0.0.1"
    alerts_metrics_port: int | None = None  # the overdue watcher's /metrics, /healthz, /readyz; 0: any free port
    audit_retention_days: int = 400  # audit-log entries older than this are deleted; 0: kept forever
    log_level: str = "INFO"
    portal_host: str = "127.0.0.1"
    portal_port: int = 5000
    portal_secret_key: str | None = None  # None: generated once and kept in <data_dir>/portal-secret
    portal_token_rate: float = 10.0  # requests a second per API token and portal process; 0: no limit
    portal_token_burst: int = 100


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be a positive number")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):
        raise ValueError("must be a number of requests a second, 0 or more (0: no limit)")
    return value


def _session_seconds(text: str) -> float:
    value = float(text)
    if not 6 <= value <= 1800:  # the broker's group.min.session.timeout.ms and group.max.session.timeout.ms
        raise ValueError("must be from 6 to 1800 seconds (the broker's limits for a group session)")
    return value


def _database_url(text: str) -> str:
    if not text.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ValueError("must start with sqlite:/// or postgresql://")
    return text


def _bootstrap(text: str) -> str:
    for server in text.split(","):
        host, _, port = server.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{server!r} is not host:port")
    return text


def _log_level(text: str) -> str:
    if text.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return text.upper()


def _host(text: str) -> str:
    if not text.strip() or any(c.isspace() for c in text):
        raise ValueError("must be a host name or address, e.g. 127.0.0.1 or 0.0.0.0")
    return text


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise ValueError("must be a TCP port between 1 and 65535")
    return value


def _metrics_port(text: str) -> int:
    value = int(text)
    if not 0 <= value < 65536:
        raise ValueError("must be a TCP port between 1 and 65535, or 0 for any free port")
    return value


def _retention_days(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be a whole number of days, 0 or more (0: keep every entry)")
    return value


def _secret_key(text: str) -> str:
    if len(text) < 32:
        raise ValueError("must be at least 32 characters (e.g. python -c 'import secrets; "
                         "print(secrets.token_urlsafe(32))')")
    return text


# key -> (Settings field, parser)
KEYS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "CLEARANCE_DATA_DIR": ("data_dir", Path),
    "DATABASE_URL": ("database_url", _database_url),
    "KAFKA_BOOTSTRAP_SERVERS": ("kafka_bootstrap_servers", _bootstrap),
    "KAFKA_CACHE_DIR": ("kafka_cache_dir", Path),
    "CLEARANCE_EVENTS_TOPIC": ("events_topic", str),
    "CLEARANCE_DLQ_TOPIC": ("dlq_topic", str),
    "CLEARANCE_UPDATES_TOPIC": ("updates_topic", str),
    "CLEARANCE_ALERTS_TOPIC": ("alerts_topic", str),
    "CLEARANCE_ALERT_WATCH_SECONDS": ("alert_watch_seconds", _positive_float),
    "CLEARANCE_EVENTS_PARTITIONS": ("events_partitions", _positive_int),
    "CLEARANCE_REPLICATION_FACTOR": ("replication_factor", _positive_int),
    "CLEARANCE_MIN_INSYNC_REPLICAS": ("min_insync_replicas", _positive_int),
    "CLEARANCE_GROUP_ID": ("group_id", str),
    "CLEARANCE_INSTANCE_ID": ("instance_id", str),
    "CLEARANCE_SESSION_SECONDS": ("session_seconds", _session_seconds),
    "CLEARANCE_BATCH_SIZE": ("batch_size", _positive_int),
    "CLEARANCE_BATCH_SECONDS": ("batch_seconds", _positive_float),
    "CLEARANCE_REACH_CACHE": ("reach_cache", _count),
    "CLEARANCE_DLQ_RUN_LIMIT": ("dlq_run_limit", _positive_int),
    "CLEARANCE_MAX_MESSAGE_BYTES": ("max_message_bytes", _positive_int),
    "CLEARANCE_METRICS_PORT": ("metrics_port", _metrics_port),
    "CLEARANCE_METRICS_HOST": ("metrics_host", _host),
    "CLEARANCE_ALERTS_METRICS_PORT": ("alerts_metrics_port", _metrics_port),
    "CLEARANCE_AUDIT_RETENTION_DAYS": ("audit_retention_days", _retention_days),
    "LOG_LEVEL": ("log_level", _log_level),
    "PORTAL_HOST": ("portal_host", _host),
    "PORTAL_PORT": ("portal_port", _port),
    "PORTAL_SECRET_KEY": ("portal_secret_key", _secret_key),
    "PORTAL_TOKEN_RATE": ("portal_token_rate", _rate),
    "PORTAL_TOKEN_BURST": ("portal_token_burst", _positive_int),
}


def from_environ(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment; raises ConfigError naming the first bad key."""
    env = os.environ if environ is None else environ
    unknown = sorted(k for k in env if k.startswith("CLEARANCE_") and k not in KEYS)
    if unknown:
        raise ConfigError(f"unknown configuration key {unknown[0]} (known: {', '.join(sorted(KEYS))})")
    values: dict[str, Any] = {}
    for key, (name, parse) in KEYS.items():
        if env.get(key, "") == "":
            continue
        try:
            values[name] = parse(env[key])
        except ValueError as exc:
            raise ConfigError(f"{key}={env[key]!r}: {exc}") from None
    data_dir = values.setdefault("data_dir", PROJECT_ROOT / "data")
    values.setdefault("database_url", f"sqlite:///{data_dir / 'clearance.db'}")
    values.setdefault("kafka_bootstrap_servers", "127.0.0.1:9092")
    cache_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    values.setdefault("kafka_cache_dir", cache_home / "clearance" / "kafka")
    if values.get("min_insync_replicas", 0) > values.get("replication_factor", float("inf")):
        raise ConfigError(f"CLEARANCE_MIN_INSYNC_REPLICAS={env['CLEARANCE_MIN_INSYNC_REPLICAS']!r}: must be at "
                          "most CLEARANCE_REPLICATION_FACTOR (every write would be refused)")
    return Settings(**values)


def defaults_table() -> list[tuple[str, str]]:
    """(key, default) for every key: the README's configuration table is checked against this."""
    settings = from_environ({})
    by_field = {f.name: getattr(settings, f.name) for f in fields(settings)}
    return [(key, str(by_field[name])) for key, (name, _) in KEYS.items()]


def pipeline_topics(settings: Settings) -> dict[str, TopicSpec]:
    """The topics the pipeline needs, as the project creates them: partitions, replicas, min.insync.replicas."""
    def spec(partitions: int) -> TopicSpec:
        return TopicSpec(partitions, settings.replication_factor, settings.min_insync_replicas)

    return {settings.events_topic: spec(settings.events_partitions), settings.dlq_topic: spec(1),
            settings.updates_topic: spec(settings.events_partitions), settings.alerts_topic: spec(1)}


def ingest_settings(settings: Settings) -> IngestSettings:
    """What an ingest worker is told, from the settings of the same names."""
    return IngestSettings(**{f.name: getattr(settings, f.name) for f in fields(IngestSettings)})


def portal_config(settings: Settings, secret_key: str, **options: Any) -> PortalConfig:
    """The portal's configuration: the settings of the same names, the key, and PortalConfig's own
    options (testing, async_mode, live_feed, …)."""
    from portal.config import PortalConfig  # the portal package imports Flask: only when it is wanted

    named = {f.name: getattr(settings, f.name) for f in fields(PortalConfig) if hasattr(settings, f.name)}
    return PortalConfig(**{**named, "secret_key": secret_key, **options})
