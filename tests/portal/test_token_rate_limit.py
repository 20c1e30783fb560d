"""The per-token rate limit (portal.auth.rate_limit, portal.auth.limits): the bucket on a clock of the
test's own, then the portal: 429 with Retry-After and a JSON body after the burst, recovery, tokens
apart from each other, unknown tokens limited per address, Socket.IO, sessions not limited."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from clearance.config import ConfigError, Settings, from_environ, portal_config
from portal.auth import rate_limit
from portal.auth.rate_limit import TokenBuckets
from portal.extensions import socketio
from portal.live import sockets as live_sockets  # registers /live before any app: every app gets it
from tests.portal.conftest import MakeApp, Person
from tests.portal.test_login import log_in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_the_burst_go_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=0.5, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == 2  # one request every 2 s
    assert buckets.take("a") == 2  # a refusal takes nothing
    assert buckets.take("b") == 0  # another key has its own bucket
    clock.now += 1
    assert buckets.take("a") == 1
    clock.now += 1
    assert buckets.take("a") == 0 and buckets.take("a") == 2
    clock.now += 3600  # refills to the burst, never beyond
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 2]


def test_rate_zero_is_no_limit_and_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(TokenBuckets(rate=0, burst=1).take("a") == 0 for _ in range(100))
    monkeypatch.setattr(rate_limit, "MAX_BUCKETS", 50)
    clock = Clock()
    buckets = TokenBuckets(rate=1, burst=1, clock=clock)
    for n in range(500):
        buckets.take(("address", str(n)))
        clock.now += 0.01
    assert len(buckets._buckets) <= 50
    assert buckets.take(("address", "499")) > 0  # the newest are kept: still empty


def test_the_settings_reach_the_portal(portal_settings: Settings) -> None:
    settings = from_environ({"PORTAL_TOKEN_RATE": "2.5", "PORTAL_TOKEN_BURST": "7"})
    assert (settings.portal_token_rate, settings.portal_token_burst) == (2.5, 7)
    config = portal_config(settings, "k" * 40)
    assert (config.portal_token_rate, config.portal_token_burst) == (2.5, 7)
    assert from_environ({}).portal_token_rate == 10.0 and from_environ({"PORTAL_TOKEN_RATE": "0"}).portal_token_rate == 0
    for key, value in (("PORTAL_TOKEN_RATE", "-1"), ("PORTAL_TOKEN_RATE", "nan"), ("PORTAL_TOKEN_BURST", "0")):
        with pytest.raises(ConfigError, match=key):
            from_environ({key: value})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(make_app: MakeApp, portal_settings: Settings, clock: Clock) -> Flask:
    """A portal allowing 3 requests at once per token, then 1 a second, on the test's clock."""
    app = make_app(portal_settings, portal_token_rate=1.0, portal_token_burst=3)
    app.extensions["clearance_token_limits"].clock = clock
    return app


def test_after_the_burst_429_with_retry_after_then_recovery(limited: Flask, people: dict[str, Person],
                                                             clock: Clock) -> None:
    client = limited.test_client()
    office, terminal = people["port_office"].headers, people["terminal_ytct"].headers
    assert [client.get("/api/v1/containers", headers=office).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/alerts", headers=office)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    body = refused.get_json()
    assert body["error"] == "rate_limited" and body["details"] == {"retry_after_seconds": 1}
    assert "1 requests a second, 3 at once" in body["message"]
    assert client.get("/api/v1/containers", headers=terminal).status_code == 200  # its own bucket
    clock.now += 1
    assert client.get("/api/v1/containers", headers=office).status_code == 200
    assert client.get("/api/v1/containers", headers=office).status_code == 429


def test_unknown_tokens_are_limited_per_address_not_against_good_tokens(limited: Flask,
                                                                        people: dict[str, Person]) -> None:
    client = limited.test_client()
    guesses = [client.get("/api/v1/containers", headers={"Authorization": f"Bearer guess-{n}"}) for n in range(5)]
    assert [r.status_code for r in guesses] == [401, 401, 401, 429, 429]
    assert guesses[-1].headers["Retry-After"] == "1"
    revoked = client.get("/api/v1/containers", headers=people["revoked"].headers)
    assert revoked.status_code == 429  # a revoked token is no way around it either
    assert client.get("/api/v1/containers", headers=people["port_office"].headers).status_code == 200


def test_browser_sessions_are_not_limited(limited: Flask, people: dict[str, Person]) -> None:
    client: FlaskClient = limited.test_client()
    assert log_in(client).status_code == 302
    assert {client.get("/api/v1/containers").status_code for _ in range(10)} == {200}


def test_socket_connect_and_subscribe_take_from_the_bucket(limited: Flask, people: dict[str, Person],
                                                           clock: Clock) -> None:
    namespace = live_sockets.NAMESPACE
    live = socketio.test_client(limited, namespace=namespace, auth={"token": people["port_office"].token})
    assert live.is_connected(namespace)  # took 1 of 3
    for _ in range(2):
        live.emit("subscribe", {"scope": "mine"}, namespace=namespace)
    live.emit("subscribe", {"scope": "mine"}, namespace=namespace)
    names = [(m["name"], m["args"][0]) for m in live.get_received(namespace)]
    assert [n for n, _ in names] == ["snapshot", "snapshot", "rate_limited"]
    assert names[-1][1] == {"request": {"scope": "mine"}, "retry_after": 1}
    refused = socketio.test_client(limited, namespace=namespace, auth={"token": people["port_office"].token})
    assert not refused.is_connected(namespace)
    clock.now += 1
    live.emit("subscribe", {"scope": "mine"}, namespace=namespace)
    assert [m["name"] for m in live.get_received(namespace)] == ["snapshot"]
