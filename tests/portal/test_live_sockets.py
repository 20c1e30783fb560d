"""Socket.IO /live with Flask-SocketIO's test client: who may subscribe to what, snapshots, and the
updates `broadcast_update` fans out per scope. The Socket.IO rows of the permission matrix."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from models.operations import container_visits
from portal.extensions import socketio
from portal.live.sockets import broadcast_update
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, A2, B1, NOBODYS, ROLES, VISIBLE

pytestmark = pytest.mark.usefixtures("world")


def connect(app: Flask, person: Person | None, via: str = "auth") -> Any:
    if person is None:
        return socketio.test_client(app, namespace="/live")
    if via == "header":
        return socketio.test_client(app, namespace="/live", headers=person.headers)
    return socketio.test_client(app, namespace="/live", auth={"token": person.token})


def received(client: Any) -> list[tuple[str, Any]]:
    return [(m["name"], m["args"][0]) for m in client.get_received("/live")]


@pytest.mark.parametrize("via", ["auth", "header"])
def test_tokens_connect_by_auth_payload_or_header(app: Flask, people: dict[str, Person], via: str) -> None:
    assert connect(app, people["enterprise_a"], via).is_connected("/live")


@pytest.mark.parametrize("who", [None, "revoked", "disabled"])
def test_no_valid_credentials_no_connection(app: Flask, people: dict[str, Person], who: str | None) -> None:
    assert not connect(app, people[who] if who else None).is_connected("/live")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("container_no", [A1, A2, B1, NOBODYS])
def test_container_subscription_matrix(app: Flask, people: dict[str, Person], role: str, container_no: str) -> None:
    """Every role × every container: a snapshot of exactly the visible visits, or `not_found` — the very
    same answer as for a container that does not exist."""
    client = connect(app, people[role])
    client.emit("subscribe", {"container_no": container_no}, namespace="/live")
    [(name, body)] = received(client)
    expected = VISIBLE[role].get(container_no)
    if expected is None:
        assert (name, body) == ("not_found", {"request": {"container_no": container_no}})
    else:
        assert name == "snapshot"
        assert {v["direction"] for v in body["visits"]} == expected
        assert body["version"] >= 1


@pytest.mark.parametrize("role", ROLES)
def test_mine_snapshot_lists_only_own_visits(app: Flask, people: dict[str, Person], role: str) -> None:
    client = connect(app, people[role])
    client.emit("subscribe", {"scope": "mine"}, namespace="/live")
    [(name, body)] = received(client)
    assert name == "snapshot"
    seen = {(c["container_no"], c["direction"]) for c in body["containers"]}
    assert seen == {(c, d) for c, directions in VISIBLE[role].items() for d in directions}
    assert body["total"] == len(seen)


@pytest.mark.parametrize("role", ROLES)
def test_scope_all_is_for_the_port_office_only(app: Flask, people: dict[str, Person], role: str) -> None:
    client = connect(app, people[role])
    client.emit("subscribe", {"scope": "all"}, namespace="/live")
    [(name, _)] = received(client)
    assert name == ("snapshot" if role == "port_office" else "not_found")


def test_malformed_subscription_is_not_found(app: Flask, people: dict[str, Person]) -> None:
    client = connect(app, people["port_office"])
    for message in ("A1", {"scope": "everything"}, {"container_no": 5}):
        client.emit("subscribe", message, namespace="/live")
        assert [n for n, _ in received(client)] == ["not_found"]


def test_updates_reach_each_subscriber_filtered_to_what_it_may_see(app: Flask, people: dict[str, Person],
                                                                   db: Sessions) -> None:
    clients = {role: connect(app, people[role]) for role in ROLES}
    for client in clients.values():
        client.emit("subscribe", {"container_no": A1}, namespace="/live")
        client.emit("subscribe", {"scope": "mine"}, namespace="/live")
        received(client)
    with db() as session:
        visits = container_visits(session, A1)
    broadcast_update(A1, 99, visits)
    for role, client in clients.items():
        updates = [body for name, body in received(client) if name == "update"]
        expected = VISIBLE[role].get(A1)
        if expected is None:
            assert updates == [], role
            continue
        [container_update] = [u for u in updates if "scope" not in u]
        [list_update] = [u for u in updates if u.get("scope") == "mine"]
        assert container_update["version"] == list_update["version"] == 99
        assert {v["direction"] for v in container_update["visits"]} == expected
        assert {v["direction"] for v in list_update["visits"]} == expected


def test_a_user_disabled_after_connecting_gets_nothing_more(app: Flask, people: dict[str, Person],
                                                            db: Sessions) -> None:
    from models.user import set_disabled
    client = connect(app, people["enterprise_a"])
    with db() as session:
        set_disabled(session, "enterprise_a", True)
        session.commit()
    client.emit("subscribe", {"container_no": A1}, namespace="/live")
    assert [n for n, _ in received(client)] == ["not_found"]


def test_views_are_built_only_for_rooms_someone_is_in(app: Flask, people: dict[str, Person], db: Sessions,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Most containers have no one watching them live: an update for them builds no view; one for a
    container watched in one scope builds that scope's view only, and the watcher still gets it."""
    from portal.live import sockets
    built: list[str] = []
    real_view = sockets.container_view
    monkeypatch.setattr(sockets, "container_view", lambda c, v, visits, p: built.append(p.name) or
                        real_view(c, v, visits, p))
    with db() as session:
        visits = container_visits(session, A1)
    broadcast_update(A1, 98, visits)
    assert built == []
    watcher = connect(app, people["port_office"])
    watcher.emit("subscribe", {"container_no": A1}, namespace="/live")
    received(watcher)
    built.clear()
    broadcast_update(A1, 99, visits)
    assert built == ["all"]
    assert [body["version"] for name, body in received(watcher) if name == "update"] == [99]
