"""docker-compose.yml, read as YAML: every process it runs is a real `clearance` command, every key it
gives them is configuration the project documents, and Kafka keeps three replicas."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from clearance.cli import build_parser
from clearance.config import KEYS, PROJECT_ROOT
from tests.deploy.compose import COMPOSE_FILE, kafka_services, project_services, services, variables

# Keys a project service may be given that are not the project's configuration, each with why.
NOT_CONFIGURATION = {
    "PYTHONUNBUFFERED": "Python itself: log lines reach `docker compose logs` at once",
    "PIP_NO_CACHE_DIR": "pip, while the image is built",
    "PIP_DISABLE_PIP_VERSION_CHECK": "pip, while the image is built",
}
PROCESSES = {"migrate": ["db", "upgrade"], "ingest": ["ingest"], "alerts": ["alerts"], "portal": ["portal"],
             "simulate": ["simulate"]}


def readme_configuration_keys() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.M))


def dockerfile_env() -> dict[str, str]:
    """The ENV keys of the Dockerfile (`ENV A=1 \\ B=2` and `ENV A=1` lines)."""
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, flags=re.M):
        found.update(pair.split("=", 1) for pair in line.split())
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping, so that YAML anchors can merge it"
    return {key: str(value) for key, value in env.items()}


def test_the_project_services_are_its_processes() -> None:
    found = {name: service["command"][:len(PROCESSES.get(name, []))] for name, service in project_services().items()}
    assert found == PROCESSES


@pytest.mark.parametrize("name", sorted(project_services()))
def test_each_command_is_one_the_cli_accepts(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    service = project_services()[name]
    command = service["command"]
    assert isinstance(command, list) and all(isinstance(word, str) for word in command), "exec form: no shell"
    assert "entrypoint" not in service, "the image's entrypoint is `clearance`"
    try:
        args = build_parser().parse_args(command)
    except SystemExit:
        pytest.fail(f"{name}: `clearance {' '.join(command)}` is refused: {capsys.readouterr().err}")
    assert callable(args.handler)


def test_the_image_runs_clearance() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    entrypoint = re.search(r"^ENTRYPOINT (.+)$", text, flags=re.M)
    assert entrypoint and json.loads(entrypoint[1]) == ["clearance"]
    assert re.search(r"^FROM python:3\.11-slim$", text, flags=re.M)
    assert re.search(r"^USER (?!root)\w+$", text, flags=re.M), "runs as a user of its own, not root"
    for package in ("clearance", "events", "ingest", "models", "portal", "static"):
        assert re.search(rf"^COPY {package} {package}$", text, flags=re.M), f"{package}/ is not in the image"


@pytest.mark.parametrize("name", sorted(project_services()))
def test_every_environment_key_is_documented_configuration(name: str) -> None:
    given = set(environment(project_services()[name])) | set(dockerfile_env())
    unknown = given - set(KEYS) - set(NOT_CONFIGURATION)
    assert not unknown, f"{name}: not configuration keys (clearance.config.KEYS): {sorted(unknown)}"
    undocumented = (given & set(KEYS)) - readme_configuration_keys()
    assert not undocumented, f"{name}: not in the README's configuration table: {sorted(undocumented)}"


@pytest.mark.parametrize("name", sorted(project_services()))
def test_topics_are_made_with_three_replicas_and_two_in_sync(name: str) -> None:
    env = environment(project_services()[name])
    assert env["CLEARANCE_REPLICATION_FACTOR"] == "3"
    assert env["CLEARANCE_MIN_INSYNC_REPLICAS"] == "2"
    brokers = {server.split(":")[0] for server in env["KAFKA_BOOTSTRAP_SERVERS"].split(",")}
    assert brokers == set(kafka_services())


def test_kafka_is_a_three_node_kraft_cluster() -> None:
    brokers = kafka_services()
    assert len(brokers) == 3
    envs = {name: environment(service) for name, service in brokers.items()}
    node_ids = {name: env["KAFKA_NODE_ID"] for name, env in envs.items()}
    assert len(set(node_ids.values())) == 3
    voters = {f"{node_ids[name]}@{name}:9093" for name in brokers}
    for name, env in envs.items():
        assert set(env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == voters
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        assert "controller" in env["KAFKA_PROCESS_ROLES"] and "broker" in env["KAFKA_PROCESS_ROLES"]
        assert (env["KAFKA_DEFAULT_REPLICATION_FACTOR"], env["KAFKA_MIN_INSYNC_REPLICAS"]) == ("3", "2")
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert any(volume.endswith(":" + env["KAFKA_LOG_DIRS"]) for volume in brokers[name]["volumes"])
    assert len({env["CLUSTER_ID"] for env in envs.values()}) == 1


def health_url(service: dict[str, Any]) -> Any:
    test = " ".join(service["healthcheck"]["test"])
    found = re.search(r"http://[^'\" ]+", test)
    assert found, test
    return urlsplit(found[0])


def test_healthchecks_ask_the_processes_own_endpoints() -> None:
    ingest, portal = project_services()["ingest"], project_services()["portal"]
    worker = health_url(ingest)
    assert (worker.port, worker.path) == (int(environment(ingest)["CLEARANCE_METRICS_PORT"]), "/healthz")
    assert environment(ingest)["CLEARANCE_METRICS_HOST"] == "0.0.0.0", "for a Prometheus on the network too"
    alerts = project_services()["alerts"]
    watcher = health_url(alerts)
    assert (watcher.port, watcher.path) == (int(environment(alerts)["CLEARANCE_ALERTS_METRICS_PORT"]), "/healthz")
    assert environment(alerts)["CLEARANCE_METRICS_HOST"] == "0.0.0.0"
    ready = health_url(portal)
    assert (ready.port, ready.path) == (int(environment(portal)["PORTAL_PORT"]), "/readyz")
    assert health_url(services()["nginx"]).path == "/healthz", "nginx's own check goes through to a portal"
    for name in ("postgres", *kafka_services()):
        assert services()[name]["healthcheck"]["test"]


def test_start_order() -> None:
    portal = project_services()["portal"]["depends_on"]
    assert portal["migrate"]["condition"] == "service_completed_successfully"
    # The workers create the topics; the portal's readiness waits for the feed and alerts topics.
    assert portal["ingest"]["condition"] == "service_healthy"
    assert services()["nginx"]["depends_on"]["portal"]["condition"] == "service_healthy"
    assert project_services()["migrate"]["restart"] == "no"
    assert project_services()["simulate"]["profiles"] == ["simulate"]


def test_long_running_services_restart() -> None:
    for name in ("postgres", "alerts", "portal", "nginx", *kafka_services()):
        assert services()[name]["restart"] == "unless-stopped", name
    assert services()["ingest"]["restart"].startswith("on-failure:"), "exit 3 (dead letters) is not retried forever"


def test_secrets_come_from_the_environment() -> None:
    text = COMPOSE_FILE.read_text()
    used = variables(text)
    assert used["POSTGRES_PASSWORD"] == used["PORTAL_SECRET_KEY"] == ":?", "required, never a default"
    portal_key = environment(project_services()["portal"])["PORTAL_SECRET_KEY"]
    assert portal_key.startswith("${PORTAL_SECRET_KEY:?")
    example = (PROJECT_ROOT / ".env.example").read_text()
    listed = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, flags=re.M))
    assert set(used) <= set(listed), f"not in .env.example: {sorted(set(used) - set(listed))}"
    assert listed["POSTGRES_PASSWORD"] == listed["PORTAL_SECRET_KEY"] == "", "no secret in the example"


def test_only_nginx_is_published() -> None:
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"nginx"}
