"""A small port for the portal tests: three containers, two enterprises, a customs broker, two terminals.

  A1  EXPORT visit for enterprise A at YTCT, declaration DECL_A filed by the broker, B/L BL_A
      IMPORT visit (later) for enterprise B at YTGD, B/L BL_B
  A2  EXPORT visit for enterprise A at YTGD (no declaration)
  B1  IMPORT visit for enterprise B at YTGD, declaration DECL_B
"""
from __future__ import annotations

from events.codec import ClearanceEvent
from tests.support.factories import BROKER, CONTAINER, ENTERPRISE, OTHER_CONTAINER, event

USCC_A, USCC_B, USCC_BROKER = ENTERPRISE, "91370600MA3C8K2L5Y", BROKER
A1, A2, B1 = CONTAINER, "MSKU1234565", OTHER_CONTAINER
DECL_A, DECL_B = "420120260000000123", "420120261000000456"
BL_A, BL_B = "SITYTBLA000123", "SITYTBLB000456"
NOBODYS = "TCLU0000014"  # a valid container number nothing was stored for
VESSEL_B, VOYAGE_B = "9705419", "2618W"

# role name -> {container: directions of the visits it sees}
VISIBLE: dict[str, dict[str, set[str]]] = {
    "enterprise_a": {A1: {"EXPORT"}, A2: {"EXPORT"}},
    "enterprise_b": {A1: {"IMPORT"}, B1: {"IMPORT"}},
    "broker": {A1: {"EXPORT"}},
    "terminal_ytct": {A1: {"EXPORT"}},
    "terminal_ytgd": {A1: {"IMPORT"}, A2: {"EXPORT"}, B1: {"IMPORT"}},
    "port_office": {A1: {"EXPORT", "IMPORT"}, A2: {"EXPORT"}, B1: {"IMPORT"}},
}
DECLARATIONS_SEEN: dict[str, set[str]] = {
    "enterprise_a": {DECL_A}, "enterprise_b": {DECL_B}, "broker": {DECL_A},
    "terminal_ytct": {DECL_A}, "terminal_ytgd": {DECL_B}, "port_office": {DECL_A, DECL_B},
}
ROLES = sorted(VISIBLE)


def _declared(type: str, event_id: str, at: str, number: str, direction: str, containers: list[str],
              enterprise: str, declarant: str, **fields: object) -> ClearanceEvent:
    return event(type, event_id, at, source="CUSTOMS", publisher="4201", container_no=None, vessel_imo=None,
                 voyage=None, terminal=None, declaration_no=number, direction=direction, containers=containers,
                 enterprise_uscc=enterprise, declarant_uscc=declarant, **fields)


def world_events() -> list[ClearanceEvent]:
    """Every event of the world above."""
    import_b = {"direction": "IMPORT", "enterprise_uscc": USCC_B, "terminal": "YTGD", "publisher": "YTGD",
                "vessel_imo": VESSEL_B, "voyage": VOYAGE_B}
    return [
        event("MANIFEST_ACCEPTED", "m-a1", "2026-11-20T07:00:00+08:00", source="CUSTOMS", publisher="4201",
              bl_no=BL_A),
        _declared("DECLARATION_ACCEPTED", "d-a-l", "2026-11-20T07:30:00+08:00", DECL_A, "EXPORT", [A1],
                  USCC_A, USCC_BROKER, customs_code="L"),
        event("GATE_IN", "g-a1", "2026-11-20T08:00:00+08:00"),
        event("ARRIVAL_REPORTED", "ar-a1", "2026-11-20T08:05:30+08:00", declaration_no=DECL_A),
        event("INSPECTION_COMPLETED", "i-a1", "2026-11-20T09:00:00+08:00", source="CUSTOMS", publisher="4201",
              declaration_no=DECL_A, detail={"result": "ABNORMAL"}),
        _declared("CUSTOMS_RELEASED", "d-a-p", "2026-11-20T10:00:00+08:00", DECL_A, "EXPORT", [A1],
                  USCC_A, USCC_BROKER, customs_code="P"),
        event("GATE_IN", "g-a2", "2026-11-21T08:00:00+08:00", container_no=A2, terminal="YTGD", publisher="YTGD"),
        event("DISCHARGED", "dis-a1", "2026-11-25T10:00:00+08:00", bl_no=BL_B, **import_b),
        event("DISCHARGED", "dis-b1", "2026-11-22T10:00:00+08:00", container_no=B1, **import_b),
        _declared("DECLARATION_ACCEPTED", "d-b-l", "2026-11-22T11:00:00+08:00", DECL_B, "IMPORT", [B1],
                  USCC_B, USCC_B, customs_code="L"),
    ]
