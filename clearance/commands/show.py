"""`clearance show CONTAINER_NO`: what is stored for one container."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from clearance.config import Settings
from events import identifiers
from events.vocabulary import EVENT_TYPES
from models.db import make_engine, session_factory
from models.operations import container_visits


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("show", help="print a container's visits, current state and timeline",
                                 description="For each visit (direction and voyage): the current state, "
                                             "active holds, flags and the timeline in occurred_at order.")
    parser.add_argument("container_no", help="ISO 6346 container number, e.g. CICU3789922")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON (stable across databases)")
    parser.set_defaults(handler=_show)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    container_no = args.container_no.strip().upper()
    try:
        identifiers.container_no(container_no)
    except ValueError as exc:
        print(f"clearance show: {container_no}: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            visits = container_visits(session, container_no)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({"container_no": container_no, "visits": visits}, ensure_ascii=False,
                         sort_keys=True, indent=2))
    elif not visits:
        print(f"{container_no}: nothing stored", file=sys.stderr)
    else:
        for visit in visits:
            print(_human(visit))
    return 0 if visits else 1


def _human(visit: dict[str, Any]) -> str:
    current = visit["current"]["type"] if visit["current"] else "—"
    lines = [f"{visit['container_no']}  {visit['direction']}  voyage {visit['voyage'] or '—'}  "
             f"now: {current}  terminal {visit['terminal'] or '—'}"]
    for entry in visit["timeline"]:
        names = EVENT_TYPES[entry["type"]]
        lines.append(f"  {entry['occurred_at']}  {names.en} ({names.zh})  [{entry['source']} {entry['event_id']}]"
                     + ("" if entry["classifier"] == "ACTUAL" else f" {entry['classifier']}"))
    lines += [f"  HOLD: {h['type']} {h.get('customs_code', '')}" for h in visit["holds"]]
    lines += [f"  FLAG: {f['message']}" for f in visit["flags"]]
    if visit["pending"]:
        lines.append("  pending: " + ", ".join(visit["pending"]))
    return "\n".join(lines)
