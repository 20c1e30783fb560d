"""What a POST /api/v1/events request brings: JSON (one event or a list), or a CSV or XLSX table
(portal/events/tables.py), as numbered documents to check."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import request

from models.access import Principal
from models.user import Role
from portal.errors import InvalidRequest
from portal.events.tables import CSV_MEDIA, XLSX_MEDIA, TableDefaults, UnreadableTable, read_table

JSON_MEDIA = "application/json"
MEDIA_TYPES = (JSON_MEDIA, CSV_MEDIA, XLSX_MEDIA)


@dataclass(frozen=True)
class Submitted:
    """One event of the request: its index (position in the list, or data row from 0), the document,
    and what reading it already found wrong (a table cell that is not what its column needs)."""

    index: int
    document: Any
    problem: str | None = None


@dataclass(frozen=True)
class Incoming:
    channel: str  # json, csv or xlsx
    events: list[Submitted]


def incoming(principal: Principal, limit: int, terminal: str | None) -> Incoming:
    """The request's events; InvalidRequest (400) when the body is unusable as a whole."""
    media = request.mimetype
    if request.is_json:
        documents = _json_documents()
        channel = "json"
        events = [Submitted(i, d) for i, d in enumerate(documents)]
    elif media in (CSV_MEDIA, XLSX_MEDIA):
        channel = "csv" if media == CSV_MEDIA else "xlsx"
        try:
            rows = read_table(request.get_data(), media, table_defaults(principal, terminal))
        except UnreadableTable as exc:
            raise InvalidRequest(str(exc)) from None
        events = [Submitted(r.index, r.document, r.problem) for r in rows]
    else:
        raise InvalidRequest("send the events as application/json (one event object or a list), "
                             f"or as a table: {CSV_MEDIA} or {XLSX_MEDIA}")
    if not events:
        raise InvalidRequest("the request holds no event")
    if len(events) > limit:
        raise InvalidRequest(f"at most {limit} events per request, not {len(events)}")
    return Incoming(channel, events)


def table_defaults(principal: Principal, terminal: str | None) -> TableDefaults:
    """A terminal's rows are its own TERMINAL events; an enterprise's its ENTERPRISE events; the port
    office names the terminal it publishes for (`?terminal=`, else each row's `terminal`). A terminal
    naming another terminal gets rows the publish check then refuses."""
    if principal.role == Role.ENTERPRISE.value:
        return TableDefaults("ENTERPRISE", principal.uscc)
    return TableDefaults("TERMINAL", terminal or principal.terminal)


def _json_documents() -> list[Any]:
    try:
        body = json.loads(request.get_data(), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest(f"the body is not acceptable JSON: {str(exc)[:200]}") from None
    return body if isinstance(body, list) else [body]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
