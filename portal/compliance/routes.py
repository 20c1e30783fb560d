"""GET /api/v1/stats/compliance and GET /api/v1/stats/offenders, over the visits the caller sees;
`?format=csv` gives the same rows as CSV."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from models.compliance import SHANGHAI, Period, compliance, offenders
from models.time_limits import DEFAULT_STEPS
from portal.alerts import now
from portal.auth.principal import authenticate, require_principal
from portal.compliance.schemas import ComplianceSchema, OffendersSchema, PeriodQuerySchema
from portal.db import db_session

blp = Blueprint("compliance", __name__, url_prefix="/api/v1/stats",
                description="How well the time limits are kept, and who collects the alarms")
blp.before_request(authenticate)
DEFAULT_DAYS = 7
_CSV = {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}}
COMPLIANCE_COLUMNS = ("day", "terminal", "step", "rule_id", "steps", "within", "late", "share_within",
                      "commitment_percent", "meets_commitment")


def period_of(query: dict[str, Any]) -> Period:
    today = now().astimezone(SHANGHAI).date()
    last = query["last_day"] or (query["first_day"] + timedelta(days=DEFAULT_DAYS - 1) if query["first_day"] else today)
    return Period(query["first_day"] or last - timedelta(days=DEFAULT_DAYS - 1), last)


def csv_answer(name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/compliance")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, ComplianceSchema)
@blp.doc(responses=_CSV)
def get_compliance(query: dict[str, Any]) -> Any:
    """Per day, terminal and rule: steps decided, how many within the limit, their share beside the
    published commitment. A step counts on the day it started (Asia/Shanghai)."""
    period = period_of(query)
    rows = compliance(db_session(), require_principal(), period, now())
    if query["format"] == "csv":
        return csv_answer(f"compliance-{period.first_day}-{period.last_day}.csv", COMPLIANCE_COLUMNS,
                          ([row[c] for c in COMPLIANCE_COLUMNS] for row in rows))
    return {"first_day": str(period.first_day), "last_day": str(period.last_day), "items": rows}


@blp.route("/offenders")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, OffendersSchema)
@blp.doc(responses=_CSV)
def get_offenders(query: dict[str, Any]) -> Any:
    """Terminals and declarants by ALARM alerts raised in the period, most first, with the steps."""
    period = period_of(query)
    found = offenders(db_session(), require_principal(), period)
    if query["format"] == "csv":
        steps = sorted(DEFAULT_STEPS)
        rows = ([kind, entry["party"], entry["alarms"], entry["containers"], *(entry["by_step"].get(s, 0) for s in steps)]
                for kind in ("terminals", "declarants") for entry in found[kind])
        return csv_answer(f"offenders-{period.first_day}-{period.last_day}.csv",
                          ("kind", "party", "alarms", "containers", *steps), rows)
    return {"first_day": str(period.first_day), "last_day": str(period.last_day), **found}
