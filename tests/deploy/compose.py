"""docker-compose.yml as the tests read it: the file itself, its services, the project's own ones."""
from __future__ import annotations

import re
from typing import Any

import yaml

from clearance.config import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<how>:?[-?])(?P<rest>[^}]*))?\}")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def project_services() -> dict[str, dict[str, Any]]:
    """The services that run the project's image (built from its Dockerfile)."""
    return {name: service for name, service in services().items() if "build" in service}


def kafka_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in services().items()
            if str(service.get("image", "")).startswith("apache/kafka:")}


def variables(text: str) -> dict[str, str]:
    """{name: how it is used} for every ${…} in `text`: "" (plain), ":-"/"-" (default), ":?"/"?" (required)."""
    return {m["name"]: m["how"] or "" for m in VARIABLE.finditer(text)}
