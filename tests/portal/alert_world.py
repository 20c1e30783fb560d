"""The portal tests' world (tests/portal/world.py) with steps past their limits, and the alerts the
watcher raises for them at NOW:

  A1 EXPORT (YTCT, enterprise A, broker)  released, its vessel left without it   EXPORT_LOADING alarm
  A2 EXPORT (YTGD, enterprise A)          inspection ordered, never repositioned  REPOSITION alarm
  B1 IMPORT (YTGD, enterprise B)          inspection ordered, never repositioned  REPOSITION alarm
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.codec import ClearanceEvent
from models.alert_rules import seed_default_rules
from models.alerts import Alert
from models.operations import store_events
from models.overdue import watch_pass
from tests.portal.world import A1, A2, B1, USCC_B, VESSEL_B, VOYAGE_B, VISIBLE
from tests.support.factories import event, vessel

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
ALERTED = {(A1, "EXPORT"): "EXPORT_LOADING", (A2, "EXPORT"): "REPOSITION", (B1, "IMPORT"): "REPOSITION"}


def late_events() -> list[ClearanceEvent]:
    customs = {"source": "CUSTOMS", "publisher": "4201", "terminal": None}
    return [
        vessel("VESSEL_DEPARTED", "vd-1", "2026-11-21T20:00:00+08:00"),
        event("INSPECTION_ORDERED", "io-a2", "2026-11-21T09:00:00+08:00", container_no=A2, **customs),
        event("INSPECTION_ORDERED", "io-b1", "2026-11-22T12:00:00+08:00", container_no=B1, direction="IMPORT",
              enterprise_uscc=USCC_B, vessel_imo=VESSEL_B, voyage=VOYAGE_B, **customs),
    ]


def raise_alerts(session: Session) -> dict[tuple[str, str], int]:
    """Store the late events, seed the rules, run one watcher pass at NOW; {(container, direction): id}."""
    store_events(session, late_events())
    seed_default_rules(session, NOW)
    watch_pass(session, NOW)
    session.flush()
    rows = session.execute(select(Alert.container_no, Alert.visit_key, Alert.step, Alert.id))
    found = {(c, key.split("/")[0]): (step, alert_id) for c, key, step, alert_id in rows}
    assert {k: step for k, (step, _) in found.items()} == ALERTED, found
    return {k: alert_id for k, (_, alert_id) in found.items()}


def alerts_seen(role: str) -> set[tuple[str, str]]:
    """The alerted visits the role sees."""
    return {(c, d) for (c, d) in ALERTED if d in VISIBLE[role].get(c, set())}
