"""GET /api/v1/worklist: a terminal's visits waiting on a yard step, the longest wait first, with its
tier (models/yard_steps.py); other terminals' boxes and finished visits never appear. Both databases."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient

from models.operations import store_events
from models.yard_steps import YARD_STEPS
from tests.portal.conftest import Person, Sessions
from tests.support.factories import event

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


def customs(type: str, event_id: str, at: str, box: str, **fields: object):  # type: ignore[no-untyped-def]
    return event(type, event_id, at, source="CUSTOMS", publisher="4201", container_no=box, terminal=None, **fields)


IMPORT = {"direction": "IMPORT", "voyage": "025W"}


def yard_events() -> list:  # type: ignore[type-arg]
    """The yard's events, timed from now (NOW is set when the test starts)."""
    return [
        event("GATE_IN", "w1-gi", ago(hours=3), container_no="TCLU1234568"),  # waits for 运抵: alarm at 2 h
        event("GATE_IN", "w2-gi", ago(hours=2), container_no="MSCU7654329"),
        event("ARRIVAL_REPORTED", "w2-ar", ago(hours=1, minutes=50), container_no="MSCU7654329"),
        customs("INSPECTION_ORDERED", "w2-c", ago(minutes=40), "MSCU7654329", customs_code="C"),  # 调箱: warning
        event("GATE_IN", "w3-gi", ago(hours=5), container_no="OOLU8887774"),
        event("ARRIVAL_REPORTED", "w3-ar", ago(hours=5), container_no="OOLU8887774"),
        customs("CUSTOMS_RELEASED", "w3-p", ago(hours=1), "OOLU8887774", customs_code="P"),  # to load: ok
        event("DISCHARGED", "w4-d", ago(days=5), container_no="TGHU5554445", **IMPORT),
        customs("CUSTOMS_RELEASED", "w4-p", ago(days=4), "TGHU5554445", customs_code="P", **IMPORT),  # pickup: warning
        event("GATE_IN", "w5-gi", ago(days=2), container_no="CSNU1112221"),
        customs("CUSTOMS_RELEASED", "w5-p", ago(days=2), "CSNU1112221", customs_code="P"),
        event("LOADED", "w5-ld", ago(days=1), container_no="CSNU1112221"),  # done: not listed
        event("GATE_IN", "w6-gi", ago(hours=6), container_no="CICU3789922", publisher="YTGD", terminal="YTGD"),
    ]


YTCT_ITEMS = [("TGHU5554445", "GATE_OUT", "warning"), ("TCLU1234568", "ARRIVAL_REPORT", "alarm"),
              ("OOLU8887774", "LOAD", "ok"), ("MSCU7654329", "REPOSITION", "warning")]


@pytest.fixture
def yard(db: Sessions) -> None:
    global NOW
    NOW = datetime.now(timezone.utc).replace(microsecond=0)
    with db() as session:
        store_events(session, yard_events())
        session.commit()


def items(client: FlaskClient, person: Person) -> list[tuple[str, str, str]]:
    response = client.get("/api/v1/worklist", headers=person.headers)
    assert response.status_code == 200, response.get_json()
    return [(i["container_no"], i["step"], i["level"]) for i in response.get_json()["items"]]


@pytest.mark.usefixtures("yard")
def test_a_terminal_sees_its_yards_waiting_boxes_longest_first(client: FlaskClient, people: dict[str, Person]) -> None:
    assert items(client, people["terminal_ytct"]) == YTCT_ITEMS
    assert items(client, people["terminal_ytgd"]) == [("CICU3789922", "ARRIVAL_REPORT", "alarm")]
    assert sorted(items(client, people["port_office"])) == sorted(YTCT_ITEMS + [("CICU3789922", "ARRIVAL_REPORT", "alarm")])
    first = client.get("/api/v1/worklist", headers=people["terminal_ytct"].headers).get_json()["items"][0]
    assert first["next_type"] == "GATE_OUT" and first["since"] == ago(days=4).replace("+00:00", "Z")
    assert 4 * 86400 <= first["waited_seconds"] < 4 * 86400 + 120 and first["voyage"] == "025W"


@pytest.mark.usefixtures("yard")
def test_the_step_ends_when_the_terminal_publishes_it(client: FlaskClient, people: dict[str, Person],
                                                      db: Sessions) -> None:
    with db() as session:
        store_events(session, [event("REPOSITION_STARTED", "w2-rs", ago(minutes=5), container_no="MSCU7654329")])
        session.commit()
    assert ("MSCU7654329", "REPOSITIONED", "ok") in items(client, people["terminal_ytct"])
    assert ("MSCU7654329", "REPOSITION", "warning") not in items(client, people["terminal_ytct"])


def test_enterprises_have_no_work_list(client: FlaskClient, people: dict[str, Person]) -> None:
    response = client.get("/api/v1/worklist", headers=people["enterprise_a"].headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_every_step_names_what_ends_it_and_has_two_tiers() -> None:
    for step in YARD_STEPS:
        assert step.since in step.while_current and step.warning < step.alarm
