"""CLEARANCE_METRICS_PORT, CLEARANCE_METRICS_HOST and the watcher's CLEARANCE_ALERTS_METRICS_PORT: parsed,
refused when bad, handed to the workers, and one port per worker and one for the watcher under
`clearance run`."""
from __future__ import annotations

import pytest

from clearance.commands.run import _alerts_env, _worker_env
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


@pytest.mark.parametrize("value", ["-1", "65536", "many"])
def test_a_bad_watcher_port_is_refused_naming_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match=f"CLEARANCE_ALERTS_METRICS_PORT='{value}'"):
        from_environ({"CLEARANCE_ALERTS_METRICS_PORT": value})


def test_clearance_run_gives_the_watcher_the_port_after_the_workers_unless_it_has_one() -> None:
    assert _alerts_env(from_environ({}), 2) == {}  # no ports at all
    assert _alerts_env(from_environ({"CLEARANCE_METRICS_PORT": "9400"}), 2) == {"CLEARANCE_ALERTS_METRICS_PORT": "9402"}
    assert _alerts_env(from_environ({"CLEARANCE_METRICS_PORT": "0"}), 3) == {"CLEARANCE_ALERTS_METRICS_PORT": "0"}
    own = from_environ({"CLEARANCE_METRICS_PORT": "9400", "CLEARANCE_ALERTS_METRICS_PORT": "9500"})
    assert _alerts_env(own, 2) == {}  # it reaches the watcher as given, with the environment
    assert own.alerts_metrics_port == 9500
