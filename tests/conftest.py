"""Fixtures: real databases (SQLite and PostgreSQL), a real Kafka broker, unique topics per test.

A test that needs Kafka or PostgreSQL fails when the service cannot be had; it never skips.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from clearance.config import PROJECT_ROOT, Settings, from_environ
from models import Base
from models.db import make_engine, session_factory, upgrade
from tests.support.kafka import find_broker
from tests.support.tcp_proxy import TcpProxy

DEFAULT_POSTGRES_URL = "postgresql://clearance:clearance@127.0.0.1:5432/clearance_test"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real broker: KAFKA_BOOTSTRAP_SERVERS, testcontainers, or the project's local broker."""
    cache = from_environ({}).kafka_cache_dir
    try:
        bootstrap, cleanup = find_broker(PROJECT_ROOT / "data" / "kafka-test", cache)
    except RuntimeError as exc:
        pytest.fail(f"no Kafka broker for the tests: {exc}", pytrace=False)
    yield bootstrap
    cleanup()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL database, migrated once (TEST_DATABASE_URL, default the .ci/run one)."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means no database
        pytest.fail(f"PostgreSQL not reachable at {url} (run scripts/ensure-postgres): {exc}", pytrace=False)
    finally:
        engine.dispose()
    with make_engine(url).begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy (migrating takes ~0.15 s a test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "clearance.db"
    upgrade(f"sqlite:///{path}")
    return path


def fresh_sqlite(template: Path, directory: Path) -> str:
    """The URL of a new, empty, migrated SQLite database in `directory`."""
    path = directory / "clearance.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on both databases, starting empty."""
    if request.param == "sqlite":
        return fresh_sqlite(request.getfixturevalue("migrated_sqlite"), tmp_path)
    url = request.getfixturevalue("postgres_url")
    truncate(url)
    return url



@pytest.fixture
def relay(database_url: str) -> Iterator[TcpProxy]:
    """A relay in front of the test's database server, that the test cuts and restores (on PostgreSQL:
    parametrize `database_url` with ["postgresql"], indirect)."""
    proxy = TcpProxy.before(database_url)
    yield proxy
    proxy.cut()

def truncate(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names}"))
    engine.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def topic_names() -> dict[str, str]:
    """Fresh topic and group names, so tests sharing one broker never see each other's messages."""
    tag = uuid.uuid4().hex[:10]
    return {"events": f"test.{tag}.events", "dlq": f"test.{tag}.dlq", "updates": f"test.{tag}.updates",
            "alerts": f"test.{tag}.alerts", "group": f"test-{tag}"}


@pytest.fixture
def make_settings(tmp_path: Path, kafka_bootstrap: str, topic_names: dict[str, str]):  # type: ignore[no-untyped-def]
    """Settings for a test pipeline: the test broker, the test's own topics, a given database."""
    def build(database_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = dict(
            data_dir=tmp_path, database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap,
            kafka_cache_dir=from_environ({}).kafka_cache_dir, events_topic=topic_names["events"],
            dlq_topic=topic_names["dlq"], updates_topic=topic_names["updates"], alerts_topic=topic_names["alerts"],
            group_id=topic_names["group"],
            batch_size=500, batch_seconds=0.2)
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]
    return build


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a `clearance` subprocess use these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARANCE_")}
    env.update({
        "CLEARANCE_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "KAFKA_CACHE_DIR": str(settings.kafka_cache_dir),
        "CLEARANCE_EVENTS_TOPIC": settings.events_topic, "CLEARANCE_DLQ_TOPIC": settings.dlq_topic,
        "CLEARANCE_UPDATES_TOPIC": settings.updates_topic, "CLEARANCE_GROUP_ID": settings.group_id,
        "CLEARANCE_ALERTS_TOPIC": settings.alerts_topic,
        "CLEARANCE_BATCH_SIZE": str(settings.batch_size), "CLEARANCE_BATCH_SECONDS": str(settings.batch_seconds),
        "CLEARANCE_DLQ_RUN_LIMIT": str(settings.dlq_run_limit),
    })
    if settings.instance_id:
        env["CLEARANCE_INSTANCE_ID"] = settings.instance_id
    return env


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A migrated SQLite database, for tests about Kafka behaviour rather than storage."""
    return fresh_sqlite(migrated_sqlite, tmp_path)
