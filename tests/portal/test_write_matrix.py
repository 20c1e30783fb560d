"""The permission matrix's write dimension: every claimant role × every event type, aimed at another
party's container (its parties, terminal, voyage and declaration), through HTTP on both databases. What
the API accepts is then stored as ingest would store it, and no other party may see anything different.
Plus the security review's reproductions, each of which gave one party another's containers before."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from events.codec import from_document
from events.vocabulary import EVENT_TYPES, PUBLISHED_BY, Scope, Source
from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.world import A1, B1, DECL_A, DECL_B, USCC_A, USCC_B, USCC_BROKER, VESSEL_B, VOYAGE_B
from tests.support.factories import VESSEL, VOYAGE, doc

CLAIMANTS = ["enterprise_a", "enterprise_b", "broker", "terminal_ytct", "terminal_ytgd"]
# role -> (its source, publisher, and a victim: container, direction, vessel, voyage, declaration, parties)
ROLE = {
    "enterprise_a": ("ENTERPRISE", USCC_A, (B1, "IMPORT", VESSEL_B, VOYAGE_B, DECL_B, USCC_B, "YTGD")),
    "enterprise_b": ("ENTERPRISE", USCC_B, (A1, "EXPORT", VESSEL, VOYAGE, DECL_A, USCC_A, "YTCT")),
    "broker": ("ENTERPRISE", USCC_BROKER, (B1, "IMPORT", VESSEL_B, VOYAGE_B, DECL_B, USCC_B, "YTGD")),
    "terminal_ytct": ("TERMINAL", "YTCT", (B1, "IMPORT", VESSEL_B, VOYAGE_B, DECL_B, USCC_B, "YTGD")),
    "terminal_ytgd": ("TERMINAL", "YTGD", (A1, "EXPORT", VESSEL, VOYAGE, DECL_A, USCC_A, "YTCT")),
}


LATER, BACKDATED = "2026-11-26T09:00:00+08:00", "2026-11-01T09:00:00+08:00"  # after / before the world


def aimed(role: str, type: str, at: str) -> dict[str, Any]:
    """An event of `type` in the caller's own name, about the victim's container and parties."""
    source, publisher, (container, direction, imo, voyage, declaration, victim_uscc, terminal) = ROLE[role]
    scope = EVENT_TYPES[type].scope
    fields: dict[str, Any] = {"source": source, "publisher": publisher, "direction": direction,
                              "vessel_imo": imo, "voyage": voyage, "enterprise_uscc": victim_uscc,
                              "container_no": container, "terminal": publisher if source == "TERMINAL" else None}
    if source == "ENTERPRISE":
        fields["declarant_uscc"] = publisher
    if scope in (Scope.DECLARATION, Scope.CONTAINER_OR_DECLARATION):
        fields.update(declaration_no=declaration, containers=[container])
        fields["container_no"] = None if scope is Scope.DECLARATION else container
    if scope is Scope.VESSEL:
        fields.update(container_no=None, enterprise_uscc=None, declarant_uscc=None)
    return doc(type, f"aim-{role}-{type}", at, **fields)


def views(client: FlaskClient, people: dict[str, Person]) -> dict[tuple[str, str], Any]:
    """What every party sees of the world's containers: each visit's parties and timeline ids."""
    seen = {}
    for name in [*CLAIMANTS, "port_office"]:
        for container in (A1, B1):
            answer = client.get(f"/api/v1/containers/{container}", headers=people[name].headers)
            seen[(name, container)] = answer.status_code if answer.status_code != 200 else [
                (v["visit"], v["terminal"], v["enterprise_uscc"], v["declarant_uscc"],
                 [e["event_id"] for e in v["timeline"]]) for v in answer.get_json()["visits"]]
    return seen


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("type", sorted(EVENT_TYPES))
@pytest.mark.parametrize("role", CLAIMANTS)
@pytest.mark.parametrize("at", [LATER, BACKDATED], ids=["later", "backdated"])
def test_no_claimant_changes_what_another_party_sees(client: FlaskClient, people: dict[str, Person],
                                                      db: Sessions, role: str, type: str, at: str) -> None:
    document = aimed(role, type, at)
    before = views(client, people)
    answer = client.post("/api/v1/events", json=document, headers=people[role].headers)
    assert answer.status_code in (202, 400), answer.get_json()
    if Source(document["source"]) not in PUBLISHED_BY[type]:
        assert answer.status_code == 400 and "source" in str(answer.get_json()["rejected"])
    if answer.status_code == 202:
        with db() as session:
            store_events(session, [from_document(document)])
            session.commit()
    after = views(client, people)
    assert {k: v for k, v in after.items() if k[0] != role} == {k: v for k, v in before.items() if k[0] != role}
    victim = ROLE[role][2][0]
    existed = {visit[0] for visit in before[("port_office", victim)]}
    had = {visit[0] for visit in before[(role, victim)]} if isinstance(before[(role, victim)], list) else set()
    now = {visit[0] for visit in after[(role, victim)]} if isinstance(after[(role, victim)], list) else set()
    assert (now & existed) <= had, f"{role} now sees {sorted((now & existed) - had)} of {victim}"


@pytest.mark.usefixtures("world")
def test_an_event_straight_on_kafka_cannot_take_a_container_either(client: FlaskClient, people: dict[str, Person],
                                                                   db: Sessions) -> None:
    """The review's takeover by a filing of B's naming A's declaration and container, stored as ingest
    stores what reaches Kafka directly: B's event is left out (flagged), A keeps its container and its
    declaration, B sees neither."""
    filing = aimed("enterprise_b", "DECLARATION_FILED", BACKDATED)
    gate_out = aimed("terminal_ytgd", "GATE_OUT", LATER)
    with db() as session:
        store_events(session, [from_document(filing), from_document(gate_out)])
        session.commit()
    for victim in ("enterprise_a", "terminal_ytct"):
        [visit] = client.get(f"/api/v1/containers/{A1}", headers=people[victim].headers).get_json()["visits"]
        assert filing["event_id"] not in [e["event_id"] for e in visit["timeline"]]
        assert visit["enterprise_uscc"] == USCC_A and visit["terminal"] == "YTCT"
    flags = [f["code"] for f in client.get(f"/api/v1/containers/{A1}", headers=people["port_office"].headers)
             .get_json()["visits"][0]["flags"]]
    assert flags.count("NOT_A_PARTY") == 2
    assert client.get(f"/api/v1/declarations/{DECL_A}", headers=people["enterprise_b"].headers).status_code == 404
    assert client.get(f"/api/v1/declarations/{DECL_A}", headers=people["enterprise_a"].headers).status_code == 200
