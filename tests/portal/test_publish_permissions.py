"""The permission matrix of the workspace routes: every role × every route, on SQLite and PostgreSQL;
no, revoked or disabled credentials give 401 on each."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.portal.conftest import Person
from tests.portal.test_permissions import NO_ACCESS
from tests.portal.world import ROLES, USCC_A

pytestmark = pytest.mark.usefixtures("world")
BOX = "TCLU1234568"
ROW = f"type,occurred_at,direction,container_no,enterprise_uscc\nGATE_IN,2026-11-20 06:00,EXPORT,{BOX},{USCC_A}\n"
TERMINALS = {"terminal_ytct": "YTCT", "terminal_ytgd": "YTGD"}

# role -> (feeds it sees, worklist status)
SEES = {
    "enterprise_a": ({("ENTERPRISE", USCC_A)}, 404),
    "enterprise_b": (None, 404),
    "broker": (None, 404),
    "terminal_ytct": ({("TERMINAL", "YTCT")}, 200),
    "terminal_ytgd": ({("TERMINAL", "YTGD")}, 200),
    "port_office": (None, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_feeds_show_the_callers_own_feed_and_the_port_office_every_one(
        client: FlaskClient, people: dict[str, Person], role: str) -> None:
    response = client.get("/api/v1/feeds", headers=people[role].headers)
    assert response.status_code == 200
    feeds = {(p["source"], p["publisher"]) for p in response.get_json()["publishers"]}
    expected, _ = SEES[role]
    if role == "port_office":
        assert {("TERMINAL", "YTCT"), ("TERMINAL", "YTGD"), ("CUSTOMS", "4201")} <= feeds
    elif expected is not None:
        assert feeds == expected
    else:
        assert len(feeds) == 1 and next(iter(feeds))[0] == "ENTERPRISE"


@pytest.mark.parametrize("role", ROLES)
def test_the_work_list_is_for_terminals_and_the_port_office(client: FlaskClient, people: dict[str, Person],
                                                           role: str) -> None:
    response = client.get("/api/v1/worklist", headers=people[role].headers)
    assert response.status_code == SEES[role][1]
    if response.status_code == 200:
        terminals = {i["terminal"] for i in response.get_json()["items"]}
        assert terminals <= ({TERMINALS[role]} if role in TERMINALS else {"YTCT", "YTGD"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("query", ["", "?format=xlsx"])
def test_every_role_gets_the_template(client: FlaskClient, people: dict[str, Person], role: str, query: str) -> None:
    assert client.get(f"/api/v1/events/template{query}", headers=people[role].headers).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("dry_run", ["", "1"])
def test_a_table_is_published_only_as_the_caller(client: FlaskClient, people: dict[str, Person], role: str,
                                                 dry_run: str) -> None:
    response = client.post("/api/v1/events", data=ROW, content_type="text/csv", query_string={"dry_run": dry_run},
                           headers=people[role].headers)
    body = response.get_json()
    if role in TERMINALS or role == "port_office":
        terminal = TERMINALS.get(role)
        if terminal is None:  # the port office names no terminal: the row has no publisher
            assert response.status_code == 400 and "publisher" in body["rejected"][0]["reasons"][0]
            return
        assert response.status_code == (200 if dry_run else 202), body
        assert body["rows"][0]["event"]["publisher"] == body["rows"][0]["document"]["publisher"] == terminal
    else:  # an enterprise's rows are ENTERPRISE events: a GATE_IN is not one
        assert response.status_code == 400 and "source" in " ".join(body["rejected"][0]["reasons"])


@pytest.mark.parametrize("role", sorted(TERMINALS))
def test_a_terminal_cannot_publish_a_table_for_another_terminal(client: FlaskClient, people: dict[str, Person],
                                                               role: str) -> None:
    other = ({"YTCT", "YTGD"} - {TERMINALS[role]}).pop()
    for query in ({"terminal": other}, {"terminal": other, "dry_run": "1"}):
        response = client.post("/api/v1/events", data=ROW, content_type="text/csv", query_string=query,
                               headers=people[role].headers)
        assert response.status_code == 400
        assert f"publisher: must be your terminal {TERMINALS[role]}, not {other}" in \
            response.get_json()["rejected"][0]["reasons"]


@pytest.mark.parametrize("role", ROLES)
def test_recent_publishes_are_the_callers_binding(client: FlaskClient, people: dict[str, Person], role: str) -> None:
    client.post("/api/v1/events", data=ROW, content_type="text/csv", headers=people["terminal_ytct"].headers)
    items = client.get("/api/v1/events/recent", headers=people[role].headers).get_json()["items"]
    assert len(items) == (1 if role in ("terminal_ytct", "port_office") else 0)


ROUTES = [("GET", "/api/v1/feeds", None, None), ("GET", "/api/v1/worklist", None, None),
          ("GET", "/api/v1/events/template", None, None), ("GET", "/api/v1/events/template?format=xlsx", None, None),
          ("GET", "/api/v1/events/recent", None, None), ("POST", "/api/v1/events", ROW, "text/csv"),
          ("POST", "/api/v1/events?dry_run=1", ROW, "text/csv")]


@pytest.mark.parametrize("who", sorted(NO_ACCESS))
@pytest.mark.parametrize("method, path, body, media", ROUTES)
def test_without_valid_credentials_every_workspace_route_answers_401(
        client: FlaskClient, people: dict[str, Person], who: str, method: str, path: str, body: str | None,
        media: str | None) -> None:
    response = client.open(path, method=method, data=body, content_type=media, headers=NO_ACCESS[who](people))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
