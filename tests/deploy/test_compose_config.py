"""`docker-compose config` on the compose files: Debian's docker-compose parses and interpolates them
without a Docker engine. It is a test requirement (scripts/install-system): missing, these fail."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from clearance.config import PROJECT_ROOT, from_environ
from tests.deploy.compose import COMPOSE_FILE

SECRETS = {"POSTGRES_PASSWORD": "compose0test0password", "PORTAL_SECRET_KEY": "k" * 43}


def docker_compose(tmp_path: Path, file: Path, *args: str, **secrets: str) -> subprocess.CompletedProcess[str]:
    """`docker-compose -f FILE config ARGS` with only `secrets` set: no .env, nothing from this shell."""
    program = shutil.which("docker-compose")
    if program is None:
        pytest.fail("docker-compose is missing: scripts/install-system installs it "
                    "(apt-get install --no-install-recommends docker-compose)", pytrace=False)
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in secrets.items()))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run([program, "--env-file", str(env_file), "-f", str(file), "config", *args],
                          env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_the_system_file_is_valid(tmp_path: Path) -> None:
    done = docker_compose(tmp_path, COMPOSE_FILE, "-q", **SECRETS)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr  # e.g. a variable neither given nor defaulted


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_it(tmp_path: Path, missing: str) -> None:
    given = {key: value for key, value in SECRETS.items() if key != missing}
    done = docker_compose(tmp_path, COMPOSE_FILE, "-q", **given)
    assert done.returncode != 0
    assert f"set {missing}" in done.stderr


def interpolated(tmp_path: Path) -> dict[str, Any]:
    done = docker_compose(tmp_path, COMPOSE_FILE, **SECRETS)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = yaml.safe_load(done.stdout)
    return loaded


def test_each_project_process_accepts_its_environment(tmp_path: Path) -> None:
    services = interpolated(tmp_path)["services"]
    project = {name: service for name, service in services.items() if "build" in service}
    assert {"migrate", "ingest", "alerts", "portal"} <= set(project)
    for name, service in project.items():
        settings = from_environ({key: str(value) for key, value in service["environment"].items()})
        assert (settings.replication_factor, settings.min_insync_replicas) == (3, 2), name
        assert settings.database_url == f"postgresql://clearance:{SECRETS['POSTGRES_PASSWORD']}@postgres:5432/clearance"
        assert settings.events_partitions == 12
    portal = {key: str(value) for key, value in services["portal"]["environment"].items()}
    assert from_environ(portal).portal_secret_key == SECRETS["PORTAL_SECRET_KEY"]


def test_the_test_services_file_is_valid(tmp_path: Path) -> None:
    done = docker_compose(tmp_path, PROJECT_ROOT / "deploy" / "test-services.yml", "-q")
    assert done.returncode == 0, done.stderr
