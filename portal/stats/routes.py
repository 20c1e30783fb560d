"""GET /api/v1/stats/clearance-time, /stages and /now: how long clearance takes, where the time goes,
what is under way. Each answers JSON, or with `?format=csv` the rows behind it. Every figure is over
the visits the caller sees (models.access); an enterprise also gets the port-wide median."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from models.measure_sql import shanghai_today
from models.measures import figure
from portal.auth.principal import authenticate, require_principal
from portal.db import db_session
from portal.stats.activity import ACTIVE_COLUMNS, active_rows, activity_now
from portal.stats.queries import SURVIVAL_HOURS, StatsFilter, clearance_time, stage_times
from portal.stats.rows import FIGURE_COLUMNS, STAGE_COLUMNS, csv_response, figure_rows, stage_rows
from portal.stats.schemas import (
    ClearanceTimeQuerySchema,
    ClearanceTimeSchema,
    NowQuerySchema,
    NowSchema,
    ScopeSchema,
    StagesSchema,
)

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats",
                description="Clearance figures over the visits the caller may see")
blp.before_request(authenticate)
DEFAULT_DAYS = 30
_CSV = {"schema": {"type": "string", "description": "the rows behind the figures, a header row first"},
        "content_type": "text/csv", "description": "with format=csv"}


def _now() -> datetime:
    """The current time, from `app.config["CLEARANCE_CLOCK"]` when set (tests fix it), else the clock."""
    clock = current_app.config.get("CLEARANCE_CLOCK")
    return clock() if clock is not None else datetime.now(timezone.utc)


def stats_filter(query: dict[str, Any], now: datetime) -> StatsFilter:
    """The filter of a validated query; the period defaults to the 30 Asia/Shanghai days up to today."""
    end_day: date = query.get("period_to") or shanghai_today(now) + timedelta(days=1)
    first_day: date = query.get("period_from") or end_day - timedelta(days=DEFAULT_DAYS)
    return StatsFilter(query["direction"], first_day, end_day, query.get("terminal"), query.get("lane"),
                       query.get("inspected"))


@blp.route("/clearance-time")
@blp.arguments(ClearanceTimeQuerySchema, location="query")
@blp.response(200, ClearanceTimeSchema)
@blp.alt_response(200, **_CSV)
def get_clearance_time(query: dict[str, Any]) -> Any:
    """Mean, P50, P90 and maximum of a measure (hours), grouped; visits still open and those left out;
    the share ended within each of `within` hours (Kaplan–Meier, open visits censored at now)."""
    principal, now = require_principal(), _now()
    where = stats_filter(query, now)
    measure = figure(query["measure"], where.direction)
    if query["format"] == "csv":
        name = f"clearance-time-{measure.name}-{where.direction}-{where.first_day}-{where.end_day}.csv"
        return csv_response(name, FIGURE_COLUMNS, lambda: figure_rows(db_session(), principal, measure, where, now))
    return clearance_time(db_session(), principal, measure, where, query["group_by"], now,
                          query.get("within") or SURVIVAL_HOURS)


@blp.route("/stages")
@blp.arguments(ScopeSchema, location="query")
@blp.response(200, StagesSchema)
@blp.alt_response(200, **_CSV)
def get_stages(query: dict[str, Any]) -> Any:
    """Where the time goes: count, mean, P50, P90 and maximum of each stage of the direction."""
    principal, now = require_principal(), _now()
    where = stats_filter(query, now)
    if query["format"] == "csv":
        name = f"stages-{where.direction}-{where.first_day}-{where.end_day}.csv"
        return csv_response(name, STAGE_COLUMNS, lambda: stage_rows(db_session(), principal, where))
    return stage_times(db_session(), principal, where)


@blp.route("/now")
@blp.arguments(NowQuerySchema, location="query")
@blp.response(200, NowSchema)
@blp.alt_response(200, **_CSV)
def get_now(query: dict[str, Any]) -> Any:
    """Visits under way by stage, inspections, holds in force and open alerts, right now."""
    principal, now = require_principal(), _now()
    direction, terminal = query.get("direction"), query.get("terminal")
    if query["format"] == "csv":
        return csv_response("now.csv", ACTIVE_COLUMNS,
                            lambda: active_rows(db_session(), principal, direction, terminal, now))
    return activity_now(db_session(), principal, direction, terminal, now)
