"""Configuration: defaults, the README table, and precise refusals of bad values."""
from __future__ import annotations

import re

import pytest

from clearance.config import KEYS, PROJECT_ROOT, ConfigError, from_environ, ingest_settings


def test_defaults() -> None:
    settings = from_environ({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'clearance.db'}"
    assert (settings.events_topic, settings.dlq_topic) == ("clearance.events", "clearance.events.dlq")
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert (settings.audit_retention_days, settings.alerts_metrics_port) == (400, None)
    assert from_environ({"CLEARANCE_AUDIT_RETENTION_DAYS": "0"}).audit_retention_days == 0  # kept forever


def test_every_key_is_in_the_readme_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.M))
    assert set(KEYS) <= documented


@pytest.mark.parametrize(("key", "value", "message"), [
    ("CLEARANCE_BATCH_SIZE", "0", "CLEARANCE_BATCH_SIZE='0': must be a positive whole number"),
    ("CLEARANCE_BATCH_SECONDS", "soon", "CLEARANCE_BATCH_SECONDS='soon'"),
    ("DATABASE_URL", "mysql://x", "DATABASE_URL='mysql://x': must start with sqlite:/// or postgresql://"),
    ("KAFKA_BOOTSTRAP_SERVERS", "localhost", "KAFKA_BOOTSTRAP_SERVERS='localhost': 'localhost' is not host:port"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD': must be DEBUG, INFO, WARNING or ERROR"),
    ("CLEARANCE_BATCHSIZE", "5", "unknown configuration key CLEARANCE_BATCHSIZE"),
    ("CLEARANCE_SESSION_SECONDS", "5", "CLEARANCE_SESSION_SECONDS='5': must be from 6 to 1800 seconds"),
    ("CLEARANCE_AUDIT_RETENTION_DAYS", "-1", "CLEARANCE_AUDIT_RETENTION_DAYS='-1': must be a whole number of days"),
    ("CLEARANCE_AUDIT_RETENTION_DAYS", "1.5", "CLEARANCE_AUDIT_RETENTION_DAYS='1.5'"),
])
def test_bad_values_are_refused_naming_the_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_environ({key: value})
    assert message in str(caught.value)


def test_values_are_parsed() -> None:
    settings = from_environ({"CLEARANCE_BATCH_SIZE": "10", "CLEARANCE_BATCH_SECONDS": "0.05",
                             "DATABASE_URL": "postgresql://u:p@h/db", "CLEARANCE_SESSION_SECONDS": "12"})
    assert (settings.batch_size, settings.batch_seconds, settings.database_url) == (10, 0.05, "postgresql://u:p@h/db")
    assert ingest_settings(settings).session_seconds == 12
