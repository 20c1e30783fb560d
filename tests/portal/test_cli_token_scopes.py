"""`clearance tokens create --scope …`: the printed token does what its scopes allow and nothing else;
`tokens list` shows the scopes; a bad scope is refused as a bad argument."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.portal.test_cli import Run, bearer, clearance  # noqa: F401 - the fixture
from tests.support.factories import doc

GATE_IN = doc("GATE_IN", "cli-scope-g1", "2026-11-20T08:00:00+08:00")


def test_scoped_tokens_from_the_command_line(clearance: Run, client: FlaskClient) -> None:  # noqa: F811
    assert clearance("users", "create", "gate-ytct", "--role", "terminal", "--terminal", "YTCT")[0] == 0
    status, out, _ = clearance("tokens", "create", "gate-ytct", "--scope", "read", "--label", "dashboard")
    assert status == 0 and "scopes read," in out
    reader = out.splitlines()[-1]
    publisher = clearance("tokens", "create", "gate-ytct", "--scope", "publish")[1].splitlines()[-1]
    both = clearance("tokens", "create", "gate-ytct", "--scope", "publish", "--scope", "read")[1].splitlines()[-1]
    assert client.get("/api/v1/containers", headers=bearer(reader)).status_code == 200
    assert client.post("/api/v1/events", json=GATE_IN, headers=bearer(reader)).status_code == 403
    assert client.get("/api/v1/containers", headers=bearer(publisher)).status_code == 403
    assert client.post("/api/v1/events", json=GATE_IN, headers=bearer(publisher)).status_code == 202
    assert client.get("/api/v1/containers", headers=bearer(both)).status_code == 200
    listing = clearance("tokens", "list", "gate-ytct")[1].splitlines()
    assert "SCOPES" in listing[0]
    assert [line.split()[2] for line in listing[1:]] == ["read", "read", "publish", "read"]  # "read publish" splits
    assert "read publish" in listing[1] and "dashboard" in listing[2]


def test_a_bad_scope_is_a_bad_argument(clearance: Run, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert clearance("users", "create", "po", "--role", "port-office")[0] == 0
    with pytest.raises(SystemExit) as exited:
        clearance("tokens", "create", "po", "--scope", "write")
    assert exited.value.code == 2 and "invalid choice: 'write'" in capsys.readouterr().err
