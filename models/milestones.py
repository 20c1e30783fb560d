"""Each visit's milestones: the first ACTUAL time of every event type the clearance figures and time
limits measure, its parties, its fast lane and its inspection and hold flags (table `visit_milestones`).

Written by every rebuild in `models.operations`, in the same transaction as `container_visits` and
from the same visit state (`models.visits.visit_state`), so it is as order-insensitive as the state:
the same set of events gives the same row. Queries read this table, never the events' JSON.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (Boolean, ColumnElement, ForeignKeyConstraint, Index, Integer, String, case, literal_column,
                        text)
from sqlalchemy.orm import Mapped, mapped_column

from events.vocabulary import EVENT_TYPES, Direction, Stage
from models.base import Base, UTCDateTime

# column -> the event type whose first ACTUAL occurred_at it holds
MILESTONE_COLUMNS: dict[str, str] = {
    "declaration_filed_at": "DECLARATION_FILED",
    "declaration_accepted_at": "DECLARATION_ACCEPTED",
    "vessel_arrived_at": "VESSEL_ARRIVED",
    "discharged_at": "DISCHARGED",
    "gate_in_at": "GATE_IN",
    "arrival_reported_at": "ARRIVAL_REPORTED",
    "hold_placed_at": "HOLD_PLACED",
    "inspection_ordered_at": "INSPECTION_ORDERED",
    "reposition_started_at": "REPOSITION_STARTED",
    "repositioned_at": "REPOSITIONED",
    "inspection_completed_at": "INSPECTION_COMPLETED",
    "hold_released_at": "HOLD_RELEASED",
    "customs_released_at": "CUSTOMS_RELEASED",
    "loaded_at": "LOADED",
    "gate_out_at": "GATE_OUT",
    "vessel_departed_at": "VESSEL_DEPARTED",
    "declaration_closed_at": "DECLARATION_CLOSED",
}

# ISO 6346 size-type code (e.g. 22G1, 45G1, L5G1): its first character is the length.
SIZE_BY_LENGTH_CODE: dict[str, int] = {"2": 20, "4": 40, "L": 45}


class VisitMilestones(Base):
    __tablename__ = "visit_milestones"

    container_no: Mapped[str] = mapped_column(String(11), primary_key=True)
    visit_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    terminal: Mapped[str | None] = mapped_column(String(16), index=True)
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    declarant_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    lane: Mapped[str] = mapped_column(String(24))
    inspected: Mapped[bool] = mapped_column(Boolean)
    abnormal_inspection: Mapped[bool] = mapped_column(Boolean)
    held: Mapped[bool] = mapped_column(Boolean)  # a hold was placed during the visit
    active_holds: Mapped[int] = mapped_column(Integer)  # holds in force now
    size: Mapped[int | None] = mapped_column(Integer)  # feet: 20, 40, 45
    # As in container_visits (the same state, the same transaction), so that what is under way is read
    # from this table alone.
    current_type: Mapped[str | None] = mapped_column(String(32))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declaration_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declaration_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vessel_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gate_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrival_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspection_ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reposition_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    repositioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspection_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customs_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gate_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vessel_departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declaration_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        ForeignKeyConstraint(["container_no", "visit_key"],
                             ["container_visits.container_no", "container_visits.visit_key"],
                             ondelete="CASCADE"),
        # the ends of the measures (models.measures): a period's figures are a range scan on one of these
        Index("ix_visit_milestones_released", "direction", "customs_released_at"),
        Index("ix_visit_milestones_gate_out", "direction", "gate_out_at"),
        Index("ix_visit_milestones_loaded", "direction", "loaded_at"),
        Index("ix_visit_milestones_departed", "direction", "vessel_departed_at"),
        Index("ix_visit_milestones_discharged", "direction", "discharged_at"),  # unloading ends
        Index("ix_visit_milestones_accepted", "direction", "declaration_accepted_at"),  # preparation ends
        # the starts of the time-limit steps that no end index serves: compliance reads the days not kept
        # (today, changed days) by them (migration 0010). Inspections are few: partial indexes.
        Index("ix_visit_milestones_arrived", "direction", "vessel_arrived_at"),
        Index("ix_visit_milestones_inspection_ordered", "inspection_ordered_at",
              postgresql_where=text("inspection_ordered_at IS NOT NULL"),
              sqlite_where=text("inspection_ordered_at IS NOT NULL")),
        Index("ix_visit_milestones_repositioned", "repositioned_at",
              postgresql_where=text("repositioned_at IS NOT NULL"), sqlite_where=text("repositioned_at IS NOT NULL")),
    )


assert set(MILESTONE_COLUMNS) <= set(VisitMilestones.__table__.c.keys())

# When a visit leaves the port: import gate-out, export vessel departure (the ends of models.measures'
# port_logistics, written out here because models.measures reads this module).
LEAVES_AT = {Direction.IMPORT: "gate_out_at", Direction.EXPORT: "vessel_departed_at"}


def left_port_at() -> ColumnElement[Any]:
    """The time the visit left the port, NULL while it is under way, as one expression. It is indexed
    as it is: the database finds the few visits under way through the index, and its statistics on the
    expression tell the planner how few they are (two OR-ed column conditions it overestimated 20-fold).
    Constants are inlined: SQLite matches an indexed expression only to the very same text."""
    table = VisitMilestones.__table__
    return case(*((table.c.direction == literal_column(f"'{direction.value}'"), table.c[column])
                  for direction, column in LEAVES_AT.items()))


Index("ix_visit_milestones_under_way", left_port_at())


@dataclass(frozen=True)
class VisitFacts:
    """What the lane rules look at: a visit's direction, the first ACTUAL time of each event type, and
    the customs receipt codes of its ACTUAL events."""

    direction: str
    first: Mapping[str, datetime]
    customs_codes: frozenset[str]

    def within(self, start: str, end: str, window: timedelta) -> bool:
        """Did `end` follow `start` (both known) within the window?"""
        if start not in self.first or end not in self.first:
            return False
        return timedelta(0) <= self.first[end] - self.first[start] <= window

    def before(self, earlier: str, *later: str) -> bool:
        """Did `earlier` happen, and before the first of `later` (in that order) that is known, or before
        any of them happened?"""
        known = [self.first[t] for t in later if t in self.first]
        return earlier in self.first and (not known or self.first[earlier] < known[0])


@dataclass(frozen=True)
class Lane:
    code: str
    zh: str
    en: str
    direction: Direction | None  # None: both
    applies: Callable[[VisitFacts], bool]


DIRECT_PICKUP_WITHIN = timedelta(minutes=60)  # 船边直提: discharge → gate-out
DIRECT_LOADING_WITHIN = timedelta(hours=3)  # 抵港直装: gate-in → loaded on board

# The first lane whose rule applies is the visit's lane (DOMAIN.md §2, measure 1 fast lanes).
LANES: tuple[Lane, ...] = (
    Lane("two_step", "两步申报", "Two-step declaration", Direction.IMPORT,
         lambda f: any(code.startswith("Sp") for code in f.customs_codes)),
    Lane("direct_pickup", "船边直提", "Direct pickup at ship side", Direction.IMPORT,
         lambda f: f.within("DISCHARGED", "GATE_OUT", DIRECT_PICKUP_WITHIN)),
    Lane("direct_loading", "抵港直装", "Direct loading on arrival", Direction.EXPORT,
         lambda f: f.within("GATE_IN", "LOADED", DIRECT_LOADING_WITHIN)),
    Lane("advance_declaration", "提前申报", "Advance declaration", Direction.EXPORT,
         lambda f: f.before("DECLARATION_ACCEPTED", "GATE_IN")),
    Lane("advance_declaration", "提前申报", "Advance declaration", Direction.IMPORT,
         lambda f: f.before("DECLARATION_ACCEPTED", "VESSEL_ARRIVED", "DISCHARGED")),
    Lane("normal", "一般", "Normal", None, lambda f: True),
)
LANE_CODES: tuple[str, ...] = tuple(dict.fromkeys(lane.code for lane in LANES))

INSPECTION_TYPES = frozenset(name for name, t in EVENT_TYPES.items() if t.stage is Stage.INSPECTION)


def lane_of(facts: VisitFacts) -> str:
    """The code of the first lane in LANES whose direction and rule fit the visit."""
    return next(lane.code for lane in LANES
                if lane.direction in (None, Direction(facts.direction)) and lane.applies(facts))


def milestone_row(container_no: str, state: Mapping[str, Any]) -> dict[str, object]:
    """The `visit_milestones` row of one visit state (a `models.visits.visit_state` dict)."""
    timeline = state["timeline"]
    actual = [e for e in timeline if e.get("classifier") == "ACTUAL"]
    first = _first_actual(actual)
    facts = VisitFacts(state["direction"], first,
                       frozenset(e["customs_code"] for e in actual if e.get("customs_code")))
    row: dict[str, object] = {
        "container_no": container_no, "visit_key": state["visit"], "direction": state["direction"],
        "terminal": state["terminal"], "enterprise_uscc": state["enterprise_uscc"],
        "declarant_uscc": state["declarant_uscc"], "lane": lane_of(facts),
        "inspected": bool(INSPECTION_TYPES & first.keys()),
        "abnormal_inspection": any(e["type"] == "INSPECTION_COMPLETED"
                                   and (e.get("detail") or {}).get("result") == "ABNORMAL" for e in timeline),
        "held": "HOLD_PLACED" in first, "active_holds": len(state.get("holds") or ()),
        "size": size_of(timeline), "current_type": (state.get("current") or {}).get("type"),
        "last_event_at": max(_moment(e) for e in timeline) if timeline else None,
    }
    row.update({column: first.get(type_name) for column, type_name in MILESTONE_COLUMNS.items()})
    return row


def size_of(timeline: list[Mapping[str, Any]]) -> int | None:
    """The box's length in feet from the first `detail.size_type` on the timeline (None if unknown)."""
    for entry in timeline:
        size_type = (entry.get("detail") or {}).get("size_type")
        if isinstance(size_type, str) and size_type:
            return SIZE_BY_LENGTH_CODE.get(size_type[0].upper())
    return None


def _first_actual(actual: list[Mapping[str, Any]]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for entry in actual:
        moment = _moment(entry)
        if entry["type"] not in first or moment < first[entry["type"]]:
            first[entry["type"]] = moment
    return first


def _moment(entry: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(entry["occurred_at"].replace("Z", "+00:00"))
