"""GET /api/v1/worklist: the caller's yard's container visits waiting on a yard step, longest first."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask_smorest import Blueprint

from models.access import visible_visits
from models.user import Role
from models.yard_steps import WaitingVisit, waiting_visits
from portal.auth.principal import authenticate, require_principal
from portal.db import db_session
from portal.errors import NotFound
from portal.worklist.schemas import WorklistSchema

blp = Blueprint("worklist", __name__, url_prefix="/api/v1/worklist",
                description="Container visits waiting on a yard step (terminal operators, the port office)")
blp.before_request(authenticate)


@blp.route("")
@blp.response(200, WorklistSchema)
def worklist() -> dict[str, Any]:
    """A terminal's visits (every terminal's, for the port office) whose current event leaves a yard step
    to do: repositioning for inspection, arrival report, loading, gate-out. Enterprises have no yard: 404."""
    principal = require_principal()
    if principal.role not in (Role.TERMINAL.value, Role.PORT_OFFICE.value):
        raise NotFound("not found")
    now = datetime.now(timezone.utc)
    waiting = waiting_visits(db_session(), visible_visits(principal), now)
    return {"as_of": _utc(now), "items": [_item(w) for w in waiting]}


def _item(waiting: WaitingVisit) -> dict[str, Any]:
    state, step = waiting.state, waiting.step
    return {
        "container_no": waiting.container_no, "visit": state.get("visit"), "direction": state.get("direction"),
        "vessel_imo": state.get("vessel_imo"), "voyage": state.get("voyage"), "terminal": state.get("terminal"),
        "bl_no": state.get("bl_no"), "enterprise_uscc": state.get("enterprise_uscc"),
        "step": step.name, "next_type": step.next_type, "since": _utc(waiting.since),
        "waited_seconds": waiting.waited.total_seconds(), "level": waiting.level,
        "warning_seconds": step.warning.total_seconds(), "alarm_seconds": step.alarm.total_seconds(),
        "holds": len(state.get("holds") or ()),
    }


def _utc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
