"""What a principal is shown of a container: pure functions of stored visit states (no request objects),
shared by the HTTP API and the Socket.IO live push; `load_container` reads them from a Session.

A visit state is the dict `models.visits.visit_state` builds. The views copy it, keep only what the
principal may see (`models.access.visit_visible`) and add what a person reading it needs: names of
event types in English and Chinese, time between milestones, the next expected milestone.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.vocabulary import EVENT_TYPES
from models.access import Principal, visit_visible
from models.container import Container, ContainerVisit

VisitState = Mapping[str, Any]

# Copied unchanged from the visit state.
_VISIT_FIELDS = ("container_no", "visit", "direction", "vessel_imo", "voyage", "terminal", "enterprise_uscc",
                 "declarant_uscc", "declaration_nos", "bl_no")


def load_container(session: Session, container_no: str) -> tuple[int, list[dict[str, Any]]] | None:
    """(version, visit states oldest first) of a stored container, or None when unknown. Not filtered:
    pass the result to `container_view` with the principal."""
    rows = session.execute(
        select(Container.version, ContainerVisit.state)  # one round trip: a container with no visits
        .outerjoin(ContainerVisit, ContainerVisit.container_no == Container.container_no)  # is one row
        .where(Container.container_no == container_no)
        .order_by(ContainerVisit.started_at, ContainerVisit.visit_key)).all()
    if not rows:
        return None
    return rows[0][0], [state for _, state in rows if state is not None]


def container_view(container_no: str, version: int, visits: Sequence[VisitState],
                   principal: Principal) -> dict[str, Any] | None:
    """The container as the principal may see it: `{"container_no", "version", "visits": [...]}` with
    only the visible visits, each enriched by `visit_view`; None when the principal sees none."""
    shown = [visit_view(v) for v in visits if visit_visible(principal, v)]
    if not shown:
        return None
    return {"container_no": container_no, "version": version, "visits": shown}


def visit_view(state: VisitState) -> dict[str, Any]:
    """One visit, enriched: labelled entries, `took_seconds` per timeline entry, `next`,
    `abnormal_inspection`. The input is not changed."""
    view = {name: state.get(name) for name in _VISIT_FIELDS}
    view["declaration_nos"] = list(state.get("declaration_nos") or ())
    current = state.get("current")
    view["current"] = labelled(current) if current else None
    view["holds"] = [labelled(h) for h in state.get("holds") or ()]
    view["flags"] = [dict(f) for f in state.get("flags") or ()]
    view["pending"] = list(state.get("pending") or ())
    view["next"] = type_label(view["pending"][0]) if view["pending"] else None
    view["abnormal_inspection"] = abnormal_inspection(state)
    view["timeline"] = _timeline(state.get("timeline") or ())
    return view


def container_summary(container_no: str, version: int, state: VisitState) -> dict[str, Any]:
    """One row of a list: a visit's identity, where it stands, and counts of holds and flags."""
    current = state.get("current")
    timeline = state.get("timeline") or ()
    return {
        "container_no": container_no, "version": version, "visit": state.get("visit"),
        "direction": state.get("direction"), "vessel_imo": state.get("vessel_imo"),
        "voyage": state.get("voyage"), "terminal": state.get("terminal"), "bl_no": state.get("bl_no"),
        "declaration_nos": list(state.get("declaration_nos") or ()),
        "current": {**type_label(current["type"]), "occurred_at": current["occurred_at"]} if current else None,
        "holds": len(state.get("holds") or ()), "flags": len(state.get("flags") or ()),
        "abnormal_inspection": abnormal_inspection(state),
        "last_event_at": timeline[-1]["occurred_at"] if timeline else None,
    }


def view_summaries(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The list rows (`container_summary`) of a `container_view` result: one per visible visit."""
    return [container_summary(view["container_no"], view["version"], visit) for visit in view["visits"]]


def type_label(type_name: str) -> dict[str, str]:
    """`{"type", "stage", "en", "zh"}` of an event type (an unknown type is named by itself)."""
    known = EVENT_TYPES.get(type_name)
    if known is None:
        return {"type": type_name, "stage": "", "en": type_name, "zh": type_name}
    return {"type": type_name, "stage": known.stage.value, "en": known.en, "zh": known.zh}


def labelled(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a timeline entry with its type's stage and names."""
    return {**entry, **type_label(entry["type"])}


def abnormal_inspection(state: VisitState) -> bool:
    """Did an inspection of this visit complete with result ABNORMAL?"""
    return any(e["type"] == "INSPECTION_COMPLETED" and (e.get("detail") or {}).get("result") == "ABNORMAL"
               for e in state.get("timeline") or ())


def _timeline(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Entries with `took_seconds`: for an ACTUAL entry, whole seconds since the previous ACTUAL entry
    of the visit (None for the first); None for estimated and planned entries."""
    enriched, previous = [], None
    for entry in entries:
        took = None
        if entry.get("classifier", "ACTUAL") == "ACTUAL":
            moment = _moment(entry["occurred_at"])
            took = None if previous is None else round((moment - previous).total_seconds())
            previous = moment
        enriched.append({**labelled(entry), "took_seconds": took})
    return enriched


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
