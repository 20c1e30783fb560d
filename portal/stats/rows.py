"""The rows behind the figures (`?format=csv`): one per visit counted, open or excluded, or per visit and
stage, streamed from the database."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Response, stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import Principal
from models.measures import Measure, stages
from models.milestones import VisitMilestones as M
from portal.stats.figures import rounded
from portal.stats.queries import StatsFilter, ended_in_period, measure_sql, opened, scope

VISIT_COLUMNS = ("container_no", "visit_key", "direction", "terminal", "enterprise_uscc", "declarant_uscc",
                 "lane", "inspected")
FIGURE_COLUMNS = (*VISIT_COLUMNS, "start_at", "end_at", "hours", "day", "status")
STAGE_COLUMNS = (*VISIT_COLUMNS, "stage", "start_at", "end_at", "hours", "day")
_VISIT = [M.__table__.c[name] for name in VISIT_COLUMNS]
CHUNK = 1000


def figure_rows(session: Session, principal: Principal, measure: Measure, where: StatsFilter,
                now: datetime) -> Iterator[list[Any]]:
    """FIGURE_COLUMNS per visit: status closed, negative_interval, missing_start (ended in the period)
    or open (started in it; `hours` so far)."""
    sql = measure_sql(session, measure)
    mine = scope(principal, where)
    ended = (select(*_VISIT, sql.start, sql.end, sql.seconds, sql.day(sql.end))
             .where(*mine, *ended_in_period(sql, where)))
    for *visit, start, end, seconds, day in session.execute(ended.order_by(sql.end)).yield_per(CHUNK):
        if start is None:
            yield [*visit, None, end, None, day, "missing_start"]
        elif end < start and not measure.zero_if_end_first:
            yield [*visit, start, end, rounded(float(seconds) / 3600), day, "negative_interval"]
        else:
            yield [*visit, start, end, rounded(float(seconds) / 3600), day, "closed"]
    still_open = select(*_VISIT, sql.start).where(*mine, *opened(sql, where)).order_by(sql.start)
    for *visit, start in session.execute(still_open).yield_per(CHUNK):
        yield [*visit, start, None, rounded((now - start).total_seconds() / 3600), None, "open"]


def stage_rows(session: Session, principal: Principal, where: StatsFilter) -> Iterator[list[Any]]:
    """STAGE_COLUMNS per visit and stage ended in the period from a known start, stage by stage."""
    for stage in stages(where.direction):
        sql = measure_sql(session, stage)
        query = (select(*_VISIT, sql.start, sql.end, sql.seconds, sql.day(sql.end))
                 .where(*scope(principal, where), *ended_in_period(sql, where), sql.start_known,
                        sql.ended_in_order).order_by(sql.end))
        for *visit, start, end, seconds, day in session.execute(query).yield_per(CHUNK):
            yield [*visit, stage.name, start, end, rounded(float(seconds) / 3600), day]


def csv_response(filename: str, header: Sequence[str], rows: Callable[[], Iterable[Sequence[Any]]]) -> Response:
    """text/csv with a header row, streamed. `rows` is called only when the answer is sent: the view's
    contexts have been torn down by then (its database session closed), and are pushed again around
    the stream, so whatever `rows` opens (portal.db.db_session) is closed after the last row."""
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for count, row in enumerate(rows(), 1):
            writer.writerow([_cell(value) for value in row])
            if count % CHUNK == 0:
                yield _drain(buffer)
        yield _drain(buffer)

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return "" if value is None else value
