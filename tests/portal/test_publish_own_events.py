"""Publishing over HTTP, every role, on SQLite and PostgreSQL: what the caller may publish in its own
name is accepted, what it may not is refused with the reason, alone or beside an accepted event."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.portal.conftest import Person
from tests.portal.world import A1, A2, B1, ROLES, USCC_A, USCC_B, USCC_BROKER
from tests.support.factories import doc

pytestmark = pytest.mark.usefixtures("world")

# role -> (a document it may publish, one it may not, a word the refusal must contain)
PUBLISHING = {
    "enterprise_a": (doc("DECLARATION_FILED", "pub-a", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_A, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="E20260000000000001", containers=[A1], enterprise_uscc=USCC_A),
                     doc("GATE_IN", "pub-a-gate", "2026-11-20T06:00:00+08:00"), "source"),
    "enterprise_b": (doc("DECLARATION_FILED", "pub-b", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_B, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="I20260000000000002", containers=[B1], direction="IMPORT",
                         enterprise_uscc=USCC_B),
                     doc("DECLARATION_FILED", "pub-b-for-a", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                         publisher=USCC_A, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                         declaration_no="E20260000000000003", containers=[A1], enterprise_uscc=USCC_A),
                     "USCC"),
    "broker": (doc("DECLARATION_FILED", "pub-broker", "2026-11-20T06:00:00+08:00", source="ENTERPRISE",
                   publisher=USCC_BROKER, container_no=None, vessel_imo=None, voyage=None, terminal=None,
                   declaration_no="E20260000000000004", containers=[A1], enterprise_uscc=USCC_A,
                   declarant_uscc=USCC_BROKER),
               doc("CUSTOMS_RELEASED", "pub-broker-release", "2026-11-20T06:00:00+08:00", source="CUSTOMS",
                   publisher="4201", declarant_uscc=USCC_BROKER), "source"),
    "terminal_ytct": (doc("GATE_IN", "pub-ytct", "2026-11-20T06:00:00+08:00"),
                      doc("GATE_IN", "pub-ytct-as-ytgd", "2026-11-20T06:00:00+08:00", publisher="YTGD",
                          terminal="YTGD"), "publisher"),
    "terminal_ytgd": (doc("GATE_IN", "pub-ytgd", "2026-11-21T09:00:00+08:00", publisher="YTGD", terminal="YTGD",
                          container_no=A2),  # its own visit: A1's export visit is YTCT's
                      doc("GATE_IN", "pub-ytgd-as-ytct", "2026-11-20T06:00:00+08:00", publisher="YTCT"),
                      "publisher"),
    "port_office": (doc("HOLD_PLACED", "pub-po", "2026-11-20T06:00:00+08:00", source="CUSTOMS", publisher="4201",
                        customs_code="13"),
                    doc("GATE_IN", "pub-po-bad", "2026-11-20T06:00:00+08:00", container_no="CICU3789923"),
                    "check digit"),
}


@pytest.mark.parametrize("role", ROLES)
def test_publishing_is_limited_to_the_callers_own_events(client: FlaskClient, people: dict[str, Person],
                                                        role: str) -> None:
    allowed, refused, reason_word = PUBLISHING[role]
    person = people[role]
    response = client.post("/api/v1/events", json=[allowed, refused], headers=person.headers)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["accepted"] == [allowed["event_id"]]
    [rejection] = body["rejected"]
    assert rejection["index"] == 1
    assert any(reason_word in reason for reason in rejection["reasons"]), rejection

    only_refused = client.post("/api/v1/events", json=refused, headers=person.headers)
    assert only_refused.status_code == 400
    assert only_refused.get_json()["accepted"] == []
    assert only_refused.get_json()["rejected"][0]["index"] == 0
