"""`clearance users` and `clearance tokens`: the printed token works against the API until revoked."""
from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from clearance.cli import main
from clearance.config import Settings
from tests.conftest import settings_env
from tests.portal.world import USCC_A

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def clearance(portal_settings: Settings, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `clearance ARGS...` in-process with the test settings; returns (exit status, stdout, stderr)."""
    for key, value in settings_env(portal_settings).items():
        monkeypatch.setenv(key, value)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err
    return run


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_created_users_token_is_the_last_line_and_works(clearance: Run, client: FlaskClient) -> None:
    status, out, _ = clearance("users", "create", "apple-exporter", "--role", "enterprise", "--uscc", USCC_A)
    assert status == 0
    token = out.splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    me = client.get("/api/v1/session", headers=bearer(token)).get_json()
    assert (me["name"], me["role"], me["uscc"]) == ("apple-exporter", "enterprise", USCC_A)


def test_password_from_standard_input_allows_browser_login(clearance: Run, client: FlaskClient) -> None:
    status, _, _ = clearance("users", "create", "ytct-ops", "--role", "terminal", "--terminal", "YTCT",
                               "--password-prompt", stdin="a long enough password\n")
    assert status == 0
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"name": "ytct-ops", "password": "a long enough password",
                                           "csrf_token": csrf})
    assert response.status_code == 302


@pytest.mark.parametrize("args, message", [
    (["--role", "enterprise"], "needs --uscc"),
    (["--role", "terminal", "--uscc", USCC_A], "needs --terminal"),
    (["--role", "port-office", "--terminal", "YTCT"], "neither"),
    (["--role", "enterprise", "--uscc", "12345"], "unified social credit code"),
])
def test_bad_bindings_exit_2(clearance: Run, args: list[str], message: str) -> None:
    status, _, err = clearance("users", "create", "someone", *args)
    assert status == 2 and message in err


def test_short_password_and_duplicate_names_are_refused(clearance: Run) -> None:
    assert clearance("users", "create", "po", "--role", "port-office", "--password-prompt", stdin="short\n")[0] == 2
    assert clearance("users", "create", "po", "--role", "port-office")[0] == 0
    status, _, err = clearance("users", "create", "po", "--role", "port-office")
    assert status == 1 and "exists already" in err


def test_list_disable_enable(clearance: Run, client: FlaskClient) -> None:
    token = clearance("users", "create", "gate-ytgd", "--role", "terminal", "--terminal", "YTGD")[1].splitlines()[-1]
    status, out, _ = clearance("users", "list")
    assert status == 0 and "gate-ytgd" in out and "YTGD" in out and "active" in out
    assert clearance("users", "disable", "gate-ytgd")[0] == 0
    assert "disabled" in clearance("users", "list")[1]
    assert client.get("/api/v1/containers", headers=bearer(token)).status_code == 401
    assert clearance("users", "enable", "gate-ytgd")[0] == 0
    assert client.get("/api/v1/containers", headers=bearer(token)).status_code == 200
    status, _, err = clearance("users", "disable", "nobody")
    assert status == 1 and "no user 'nobody'" in err


def test_tokens_create_list_revoke(clearance: Run, client: FlaskClient) -> None:
    first = clearance("users", "create", "po", "--role", "port-office")[1].splitlines()[-1]
    status, out, _ = clearance("tokens", "create", "po", "--label", "gate system")
    assert status == 0
    second = out.splitlines()[-1]
    token_id = out.split("API token id ")[1].split()[0]
    listing = clearance("tokens", "list", "po")[1]
    assert "gate system" in listing and first not in listing and second not in listing  # values never shown
    assert client.get("/api/v1/containers", headers=bearer(second)).status_code == 200
    assert clearance("tokens", "revoke", token_id)[0] == 0
    assert client.get("/api/v1/containers", headers=bearer(second)).status_code == 401
    assert client.get("/api/v1/containers", headers=bearer(first)).status_code == 200
    assert clearance("tokens", "revoke", "9999")[0] == 1
    assert clearance("tokens", "create", "nobody")[0] == 1
