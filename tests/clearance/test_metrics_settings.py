"""CLEARANCE_METRICS_PORT and CLEARANCE_METRICS_HOST: parsed, refused when bad, handed to the workers, and
one port per worker under `clearance run`."""
from __future__ import annotations

import pytest

from clearance.commands.run import _worker_env
from clearance.config import ConfigError, from_environ, ingest_settings


def test_unset_means_no_metrics_port() -> None:
    settings = from_environ({})
    assert settings.metrics_port is None and ingest_settings(settings).metrics_port is None
    assert "CLEARANCE_METRICS_PORT" not in _worker_env(settings, 1)


def test_the_port_and_host_reach_the_workers_settings() -> None:
    worker = ingest_settings(from_environ({"CLEARANCE_METRICS_PORT": "0", "CLEARANCE_METRICS_HOST": "0.0.0.0"}))
    assert (worker.metrics_port, worker.metrics_host) == (0, "0.0.0.0")


@pytest.mark.parametrize("value", ["-1", "65536", "many"])
def test_a_bad_port_is_refused_naming_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match=f"CLEARANCE_METRICS_PORT='{value}'"):
        from_environ({"CLEARANCE_METRICS_PORT": value})


def test_clearance_run_gives_each_worker_its_own_port() -> None:
    settings = from_environ({"CLEARANCE_METRICS_PORT": "9400"})
    assert [_worker_env(settings, n) for n in (1, 2, 3)] == [
        {"CLEARANCE_INSTANCE_ID": f"ingest-{n}", "CLEARANCE_METRICS_PORT": str(9399 + n)} for n in (1, 2, 3)]
    any_port = from_environ({"CLEARANCE_METRICS_PORT": "0"})
    assert {_worker_env(any_port, n)["CLEARANCE_METRICS_PORT"] for n in (1, 2)} == {"0"}
