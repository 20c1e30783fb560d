"""GET /api/v1/stats/now after the world changes, on both databases: a visit that left through the gate or
has been idle for 90 days is no longer active; an open alert counts for whoever sees its visit."""
from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from models.operations import store_events
from tests.portal.conftest import Person, Sessions
from tests.portal.test_stats_permissions import NOW, clock, get, visible  # noqa: F401 - clock, a fixture
from tests.portal.world import A1, B1, ROLES
from tests.support.factories import event

pytestmark = pytest.mark.usefixtures("world", "clock")


def test_now_leaves_out_visits_gone_or_idle(client: FlaskClient, people: dict[str, Person], db: Sessions,
                                            app: Flask) -> None:
    with db() as session:
        store_events(session, [event("GATE_OUT", "out-b1", "2026-11-23T10:00:00+08:00", container_no=B1,
                                     direction="IMPORT", vessel_imo="9705419", voyage="2618W", terminal="YTGD",
                                     publisher="YTGD", enterprise_uscc="91370600MA3C8K2L5Y")])
        session.commit()
    office = people["port_office"]
    assert get(client, office, "now", {}).get_json()["active"] == 3  # B1 left through the gate
    assert get(client, office, "now", {"direction": "EXPORT", "terminal": "YTCT"}).get_json()["active"] == 1
    app.config["CLEARANCE_CLOCK"] = lambda: datetime.fromisoformat("2027-03-01T00:00:00+08:00")
    assert get(client, office, "now", {}).get_json()["active"] == 0  # nothing for 90 days


def test_now_counts_the_open_alerts_each_caller_sees(client: FlaskClient, people: dict[str, Person],
                                                    db: Sessions) -> None:
    """`open_alerts` is models.alerts.count_open_alerts (the time limits' part): one open alert on A1's
    export visit counts for whoever sees that visit."""
    from models.alerts import Alert
    with db() as session:
        session.add(Alert(container_no=A1, visit_key="EXPORT/9074729/024E", step="REPOSITION", tier="ALARM",
                          rule_id=1, threshold_seconds=3600, state="OPEN", started_at=NOW, raised_at=NOW,
                          version=1, pushed=True))
        session.commit()
    counted = {role: get(client, people[role], "now", {}).get_json()["open_alerts"] for role in ROLES}
    assert counted == {role: len(visible(role) & {(A1, "EXPORT")}) for role in ROLES}
