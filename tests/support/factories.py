"""Events for tests, built through the real contract (from_document), so a factory can't make an event
the codec would refuse."""
from __future__ import annotations

from typing import Any

from events.codec import ClearanceEvent, from_document

ENTERPRISE = "91370600MA3C7N8X1B"  # check character computed by stdnum below when needed
BROKER = "91110000600037341L"
CONTAINER = "CICU3789922"
OTHER_CONTAINER = "APZU4812090"
VESSEL = "9074729"
VOYAGE = "024E"
DECLARATION = "420120260000000123"


def _valid_uscc(stem: str) -> str:
    from stdnum.cn import uscc
    return stem[:17] + uscc.calc_check_digit(stem[:17])


ENTERPRISE = _valid_uscc(ENTERPRISE)


def doc(type: str, event_id: str, at: str, **fields: Any) -> dict[str, Any]:
    """A wire document: a container event of the export visit CONTAINER on VESSEL/VOYAGE by default."""
    base: dict[str, Any] = {
        "schema_version": 1, "event_id": event_id, "source": "TERMINAL", "publisher": "YTCT",
        "type": type, "occurred_at": at, "direction": "EXPORT", "container_no": CONTAINER,
        "enterprise_uscc": ENTERPRISE, "vessel_imo": VESSEL, "voyage": VOYAGE, "terminal": "YTCT",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def event(type: str, event_id: str, at: str, **fields: Any) -> ClearanceEvent:
    return from_document(doc(type, event_id, at, **fields))


def declaration(type: str, event_id: str, at: str, containers: list[str] | None = None,
                **fields: Any) -> ClearanceEvent:
    """A declaration-level customs event (no container_no)."""
    return event(type, event_id, at, source="CUSTOMS", publisher="4201", container_no=None,
                 vessel_imo=None, voyage=None, terminal=None, declaration_no=DECLARATION,
                 containers=containers, **fields)


def vessel(type: str, event_id: str, at: str, **fields: Any) -> ClearanceEvent:
    """A vessel event of VESSEL/VOYAGE: it reaches every container seen on that call."""
    return event(type, event_id, at, source="MARITIME", publisher="YTMSA", container_no=None,
                 enterprise_uscc=None, terminal=None, **fields)
