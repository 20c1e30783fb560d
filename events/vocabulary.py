"""The clearance vocabulary: event types, their stages, scopes and names in English and Chinese.

Every mapping the domain gives lives here as a table, not as scattered conditions: real feeds differ
from port to port, and a table is what a port office can read and change.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Source(str, enum.Enum):
    CUSTOMS = "CUSTOMS"
    MARITIME = "MARITIME"
    TERMINAL = "TERMINAL"
    CARRIER = "CARRIER"
    TALLY = "TALLY"
    ENTERPRISE = "ENTERPRISE"


class Direction(str, enum.Enum):
    EXPORT = "EXPORT"
    IMPORT = "IMPORT"


class Classifier(str, enum.Enum):
    ACTUAL = "ACTUAL"
    ESTIMATED = "ESTIMATED"
    PLANNED = "PLANNED"


class Stage(str, enum.Enum):
    DECLARATION = "DECLARATION"
    MANIFEST = "MANIFEST"
    ARRIVAL = "ARRIVAL"
    INSPECTION = "INSPECTION"
    RELEASE = "RELEASE"
    VESSEL_AND_YARD = "VESSEL_AND_YARD"


class Scope(str, enum.Enum):
    """What an event is about, and so which identifiers it must carry."""

    CONTAINER = "CONTAINER"  # container_no required
    DECLARATION = "DECLARATION"  # declaration_no required
    CONTAINER_OR_DECLARATION = "CONTAINER_OR_DECLARATION"  # at least one of the two
    VESSEL = "VESSEL"  # vessel_imo and voyage required; fans out to the voyage's containers


@dataclass(frozen=True)
class EventType:
    name: str
    stage: Stage
    scope: Scope
    rank: int  # position in the usual life of a container: breaks ties between equal timestamps
    en: str
    zh: str
    dcsa: str | None  # the DCSA Track & Trace code, where one exists


def _t(name: str, stage: Stage, scope: Scope, rank: int, en: str, zh: str, dcsa: str | None) -> EventType:
    return EventType(name, stage, scope, rank, en, zh, dcsa)


_S, _C = Stage, Scope
EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in (
        _t("MANIFEST_ACCEPTED", _S.MANIFEST, _C.CONTAINER, 10, "Manifest accepted", "舱单已接受", None),
        _t("DECLARATION_FILED", _S.DECLARATION, _C.DECLARATION, 20, "Declaration filed", "已申报", "RECE"),
        _t("DECLARATION_ACCEPTED", _S.DECLARATION, _C.DECLARATION, 21, "Declaration accepted", "海关入库成功", "APPR"),
        _t("DECLARATION_REVIEWED", _S.DECLARATION, _C.DECLARATION, 22, "Declaration reviewed", "审结", "APPR"),
        _t("DUTY_PAYABLE", _S.DECLARATION, _C.DECLARATION, 23, "Duty payable", "待缴税", None),
        _t("DECLARATION_REJECTED", _S.DECLARATION, _C.DECLARATION, 24, "Declaration rejected", "退单", "REJE"),
        _t("VESSEL_ARRIVED", _S.VESSEL_AND_YARD, _C.VESSEL, 30, "Vessel arrived", "船舶抵港", "ARRI"),
        _t("DISCHARGED", _S.VESSEL_AND_YARD, _C.CONTAINER, 31, "Discharged", "卸船", "DISC"),
        _t("GATE_IN", _S.ARRIVAL, _C.CONTAINER, 32, "Gate-in", "进闸", "GTIN"),
        _t("ARRIVAL_REPORTED", _S.ARRIVAL, _C.CONTAINER, 33, "Arrival reported", "运抵", None),
        _t("HOLD_PLACED", _S.MANIFEST, _C.CONTAINER, 40, "Hold placed", "布控扣留", "HOLD"),
        _t("INSPECTION_ORDERED", _S.INSPECTION, _C.CONTAINER_OR_DECLARATION, 41,
           "Inspection ordered", "查验通知", "INSP"),
        _t("REPOSITION_STARTED", _S.INSPECTION, _C.CONTAINER, 42, "Repositioning for inspection", "调箱", None),
        _t("REPOSITIONED", _S.INSPECTION, _C.CONTAINER, 43, "In place for inspection", "调箱到位", None),
        _t("INSPECTION_COMPLETED", _S.INSPECTION, _C.CONTAINER_OR_DECLARATION, 44,
           "Inspection completed", "查验完毕", "INSP"),
        _t("HOLD_RELEASED", _S.MANIFEST, _C.CONTAINER, 45, "Hold released", "解除扣留", "RELS"),
        _t("CUSTOMS_RELEASED", _S.RELEASE, _C.CONTAINER_OR_DECLARATION, 50, "Customs released", "海关放行", "RELS"),
        _t("LOADED", _S.VESSEL_AND_YARD, _C.CONTAINER, 60, "Loaded on board", "装船", "LOAD"),
        _t("GATE_OUT", _S.VESSEL_AND_YARD, _C.CONTAINER, 61, "Gate-out", "出闸", "GTOT"),
        _t("VESSEL_DEPARTED", _S.VESSEL_AND_YARD, _C.VESSEL, 70, "Vessel departed", "船舶离港", "DEPA"),
        _t("DECLARATION_CLOSED", _S.DECLARATION, _C.DECLARATION, 80, "Declaration closed", "结关", "CMPL"),
    )
}

# Who may publish each event type (DOMAIN.md §1): customs decides declarations, manifests, holds,
# inspections and release; terminals and tally report yard and ship operations; the maritime authority,
# carriers and terminals report vessel calls; enterprises file declarations. Anything else is refused
# by the contract, through the API and through Kafka alike.
_SOURCES_BY_TYPES: tuple[tuple[frozenset[Source], tuple[str, ...]], ...] = (
    (frozenset({Source.CUSTOMS}), (
        "MANIFEST_ACCEPTED", "DECLARATION_ACCEPTED", "DECLARATION_REVIEWED", "DUTY_PAYABLE",
        "DECLARATION_REJECTED", "HOLD_PLACED", "INSPECTION_ORDERED", "INSPECTION_COMPLETED", "HOLD_RELEASED",
        "CUSTOMS_RELEASED", "DECLARATION_CLOSED")),
    (frozenset({Source.ENTERPRISE}), ("DECLARATION_FILED",)),
    (frozenset({Source.TERMINAL}), ("GATE_IN", "ARRIVAL_REPORTED", "REPOSITION_STARTED", "REPOSITIONED",
                                    "GATE_OUT")),
    (frozenset({Source.TERMINAL, Source.TALLY}), ("DISCHARGED", "LOADED")),
    (frozenset({Source.MARITIME, Source.CARRIER, Source.TERMINAL}), ("VESSEL_ARRIVED", "VESSEL_DEPARTED")),
)
PUBLISHED_BY: dict[str, frozenset[Source]] = {t: sources for sources, types in _SOURCES_BY_TYPES for t in types}

# Sources whose word on a visit's parties is final (models/parties.py): official bodies, which reach the
# topic only through their own trusted feeds or the port office. Terminals and enterprises are claimants.
AUTHORITIES: frozenset[Source] = frozenset({Source.CUSTOMS, Source.MARITIME, Source.CARRIER, Source.TALLY})

# Hard precedence rules (DOMAIN.md §3): (direction or None for both, earlier type, later type).
# A violation is flagged on the container visit, never rejected.
PRECEDENCE: tuple[tuple[Direction | None, str, str], ...] = (
    (Direction.EXPORT, "ARRIVAL_REPORTED", "CUSTOMS_RELEASED"),
    (Direction.IMPORT, "CUSTOMS_RELEASED", "GATE_OUT"),
    (None, "INSPECTION_ORDERED", "INSPECTION_COMPLETED"),
    (None, "LOADED", "VESSEL_DEPARTED"),
)

# Customs receipt codes (单一窗口) and what they mean in our vocabulary (DOMAIN.md §4).
CUSTOMS_RECEIPT_CODES: dict[str, str] = {
    "L": "DECLARATION_ACCEPTED", "J": "DECLARATION_REVIEWED", "G": "DECLARATION_REVIEWED",
    "W": "DECLARATION_REVIEWED", "T": "DUTY_PAYABLE", "C": "INSPECTION_ORDERED",
    "P": "CUSTOMS_RELEASED", "I": "CUSTOMS_RELEASED", "B": "CUSTOMS_RELEASED", "K": "CUSTOMS_RELEASED",
    "R": "DECLARATION_CLOSED", "E": "DECLARATION_REJECTED",
    "SpL": "DECLARATION_ACCEPTED", "SpJ": "DECLARATION_REVIEWED", "SpC": "INSPECTION_ORDERED",
    "SpK": "CUSTOMS_RELEASED",
    "01": "MANIFEST_ACCEPTED", "11": "CUSTOMS_RELEASED", "12": "HOLD_PLACED", "13": "HOLD_PLACED",
}

# The usual milestones of a laden container's visit, in order (DOMAIN.md §2); what is missing from a
# visit's timeline is shown as pending. Optional branches (inspection, holds) are not listed.
EXPECTED_PATH: dict[Direction, tuple[str, ...]] = {
    Direction.EXPORT: ("DECLARATION_ACCEPTED", "GATE_IN", "ARRIVAL_REPORTED", "CUSTOMS_RELEASED",
                       "LOADED", "VESSEL_DEPARTED", "DECLARATION_CLOSED"),
    Direction.IMPORT: ("VESSEL_ARRIVED", "DISCHARGED", "DECLARATION_ACCEPTED", "CUSTOMS_RELEASED",
                       "GATE_OUT", "DECLARATION_CLOSED"),
}

DEFAULT_PORT = "CNYNT"
SCHEMA_VERSION = 1

assert PUBLISHED_BY.keys() == EVENT_TYPES.keys(), "every event type needs its publishers"
