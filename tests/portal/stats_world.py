"""A month of import visits whose clearance figures were computed by hand (tests/portal/test_stats_*.py).

Period 2026-11-01 to 2026-12-01, Asia/Shanghai days. GACC import time: vessel arrival (else discharge)
→ customs release. Times below are +08:00.

  no.  terminal  enterprise  start                  release            hours  what it tests
  C1   YTGD      A           arrival 10-31 23:10    11-01 00:10        1      day 11-01 in Shanghai (10-31 UTC),
                                                                             out of order, duplicated
  C2   YTGD      A           discharge 11-04 10:00  11-04 12:00        2      no ACTUAL arrival (an ESTIMATED
                                                                             one at 09:00)
  C3   YTGD      B           arrival 11-05 00:00    11-05 03:00        3      released 01:00, corrected to 03:00;
                                                                             inspected
  C4   YTGD      B           arrival 11-06 10:00    11-06 14:00        4      a release at 12:00, retracted
  C5   YTCT      B           arrival 11-07 20:00    11-08 06:00        10     day 11-08; declared in advance
                                                                             (11-07 10:00)
  C6   YTGD      A           arrival 11-09 10:00    11-09 08:00        -      negative interval
  C7   YTGD      A           (none)                 11-10 09:00        -      missing start
  C8   YTGD      A           arrival 11-20 08:00    (none)             open
  C9   YTGD      A           arrival 11-20 10:30    (none)             open
  C10  YTGD      A           arrival 10-31 20:00    10-31 23:50        -      before the period
  C11  YTGD      A           arrival 11-30 20:00    12-01 00:30        -      after it (11-30 in UTC)

Closed: 1, 2, 3, 4, 10 h: mean 4, P50 3, P90 at position 0.9 × 4 = 3.6: 4 + 0.6 × (10 − 4) = 7.6.
Kaplan–Meier at NOW (11-20 12:00; C8 open 240 min, C9 90 min), in minutes: 7 at risk;
60: 1 of 7 ends, S = 6/7; 90: C9 censored (5 left); 120: 1 of 5, S = 24/35; 180: 1 of 4, S = 18/35;
240: 1 of 3 ends (C8 censored there too, still at risk), S = 12/35; 600: 1 of 1, S = 0.
"""
from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from stdnum import iso6346

from events.codec import ClearanceEvent
from ingest.figure_roll import FigureRoller
from models.figure_days import FigureDay, mark_dirty
from tests.portal.world import USCC_A, USCC_B
from tests.support.factories import event

NOW = datetime.fromisoformat("2026-11-20T12:00:00+08:00")
PERIOD = {"from": "2026-11-01", "to": "2026-12-01"}
CLOSED_HOURS = [1.0, 2.0, 3.0, 4.0, 10.0]
WITHIN = [1, 1.5, 2, 3, 4, 5, 10]
SHARE_ENDED = [1 / 7, 1 / 7, 11 / 35, 17 / 35, 23 / 35, 23 / 35, 1.0]


def number(n: int) -> str:
    stem = f"TGHU{880000 + n:06d}"
    return stem + iso6346.calc_check_digit(stem)


C = {n: number(n) for n in range(1, 12)}


def _visit(n: int, terminal: str = "YTGD", enterprise: str = USCC_A) -> dict[str, Any]:
    return {"container_no": C[n], "direction": "IMPORT", "voyage": f"V{n:02d}", "terminal": terminal,
            "enterprise_uscc": enterprise, "declarant_uscc": enterprise}


def _arrival(n: int, at: str, **fields: Any) -> ClearanceEvent:
    return event("VESSEL_ARRIVED", f"va-{n}", at, source="MARITIME", publisher="YTMSA", container_no=None,
                 enterprise_uscc=None, terminal=None, direction="IMPORT", voyage=f"V{n:02d}", **fields)


def _customs(type_: str, event_id: str, n: int, at: str, visit: dict[str, Any], **fields: Any) -> ClearanceEvent:
    return event(type_, event_id, at, source="CUSTOMS", publisher="4201", **{**visit, **fields})


def _discharge(n: int, at: str, visit: dict[str, Any]) -> ClearanceEvent:
    return event("DISCHARGED", f"dis-{n}", at, publisher=visit["terminal"], **visit)


def _plain(n: int, arrived: str, released: str, terminal: str = "YTGD",
           enterprise: str = USCC_A) -> list[ClearanceEvent]:
    visit = _visit(n, terminal, enterprise)
    return [_arrival(n, arrived), _customs("CUSTOMS_RELEASED", f"rel-{n}", n, released, visit, customs_code="P")]


def batches() -> list[list[ClearanceEvent]]:
    """The events, in the batches they are stored in (some out of order, repeated, corrected, retracted)."""
    v2, v3, v4 = _visit(2), _visit(3, enterprise=USCC_B), _visit(4, enterprise=USCC_B)
    v5, v7 = _visit(5, "YTCT", USCC_B), _visit(7)
    c1 = _plain(1, "2026-10-31T23:10:00+08:00", "2026-11-01T00:10:00+08:00")
    first = [
        c1[1],  # C1's release before its arrival
        _discharge(2, "2026-11-04T10:00:00+08:00", v2),
        _arrival(2, "2026-11-04T09:00:00+08:00", classifier="ESTIMATED"),
        _customs("CUSTOMS_RELEASED", "rel-2", 2, "2026-11-04T12:00:00+08:00", v2, customs_code="P"),
        _arrival(3, "2026-11-05T00:00:00+08:00"), _discharge(3, "2026-11-05T00:40:00+08:00", v3),
        _customs("CUSTOMS_RELEASED", "rel-3", 3, "2026-11-05T01:00:00+08:00", v3, customs_code="P"),
        _customs("INSPECTION_ORDERED", "ins-3", 3, "2026-11-05T00:50:00+08:00", v3, customs_code="C"),
        _arrival(4, "2026-11-06T10:00:00+08:00"), _discharge(4, "2026-11-06T11:00:00+08:00", v4),
        _customs("CUSTOMS_RELEASED", "rel-4a", 4, "2026-11-06T12:00:00+08:00", v4, customs_code="P"),
        _customs("CUSTOMS_RELEASED", "rel-4b", 4, "2026-11-06T14:00:00+08:00", v4, customs_code="P"),
        *_plain(5, "2026-11-07T20:00:00+08:00", "2026-11-08T06:00:00+08:00", "YTCT", USCC_B),
        _customs("DECLARATION_ACCEPTED", "acc-5", 5, "2026-11-07T10:00:00+08:00", v5, customs_code="L",
                 declaration_no="223320261000000005"),
        *_plain(6, "2026-11-09T10:00:00+08:00", "2026-11-09T08:00:00+08:00"),
        _customs("CUSTOMS_RELEASED", "rel-7", 7, "2026-11-10T09:00:00+08:00", v7, customs_code="P"),
        _arrival(8, "2026-11-20T08:00:00+08:00"), _discharge(8, "2026-11-20T09:00:00+08:00", _visit(8)),
        _arrival(9, "2026-11-20T10:30:00+08:00"), _discharge(9, "2026-11-20T11:00:00+08:00", _visit(9)),
        *_plain(10, "2026-10-31T20:00:00+08:00", "2026-10-31T23:50:00+08:00"),
        *_plain(11, "2026-11-30T20:00:00+08:00", "2026-12-01T00:30:00+08:00"),
    ]
    random.Random(11).shuffle(first)
    later = [
        c1[0], c1[1],  # C1's arrival comes last, and its release again
        _customs("CUSTOMS_RELEASED", "rel-3", 3, "2026-11-05T03:00:00+08:00", v3, customs_code="P",
                 updated_at="2026-11-05T03:05:00+08:00"),
        _customs("CUSTOMS_RELEASED", "rel-4a-x", 4, "2026-11-06T15:00:00+08:00", v4, retracts="rel-4a"),
    ]
    return [first[:20], first[20:], later]


KEEPING = ("live", "kept", "partly kept")


def keep(sessions: Any, how: str, now: datetime = NOW) -> None:
    """Keep the figures of the days before `now` as the figure roller does: none ("live"), all ("kept"),
    or every other day, with one more kept day marked changed since ("partly kept"). The answers must
    not change."""
    if how == "live":
        return
    assert FigureRoller(sessions, lambda: now, keep_days=60).step(float("inf")) == 60
    if how == "partly kept":
        with sessions() as session:
            session.execute(delete(FigureDay).where(func.extract("day", FigureDay.day) % 2 == 1)
                            if session.get_bind().dialect.name == "postgresql" else
                            delete(FigureDay).where(func.strftime("%d", FigureDay.day).in_(ODD_DAYS)))
            mark_dirty(session, [date(2026, 11, 6), date(2026, 11, 10)])
            session.commit()


ODD_DAYS = [f"{day:02d}" for day in range(1, 32, 2)]
