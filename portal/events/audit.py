"""Writing the publish audit of a request (models/audit.py): who (the caller, by token or by the
page's session), when, over which channel, and each event with its outcome and reasons."""
from __future__ import annotations

from typing import Any

from models.access import Principal, principal_header
from flask import request

from models.audit import ACCEPTED, REJECTED, AuditedEvent, AuditedRequest, PublishAudit, record_publish
from models.audit_log import FAILED, OK, PUBLISH, Actor, record
from portal.auth.principal import by_session, require_caller
from portal.db import db_session
from portal.errors import request_id
from portal.events.checks import Verdict
from portal.events.incoming import Incoming


def audit_publish(principal: Principal, submitted: Incoming, verdict: Verdict) -> list[PublishAudit]:
    """Write the request's audit rows before anything is published (valid events as accepted), so that
    the write lock is had, or the request fails with 503, while nothing is on the topic yet; the
    route commits. `unsent` then marks the events Kafka did not store."""
    who = AuditedRequest(user_id=principal.user_id, principal=principal_header(principal).decode(),
                         binding=principal.terminal or principal.uscc,
                         credential="session" if by_session() else "token", channel=submitted.channel,
                         request_id=request_id())
    events = {index: event for index, event in verdict.valid}
    reasons = {r["index"]: r["reasons"] for r in verdict.rejected}
    rows = []
    for item in submitted.events:
        valid = events.get(item.index)
        fields = valid.to_wire() if valid is not None else _readable(item.document)
        outcome = ACCEPTED if item.index in events else REJECTED
        rows.append(AuditedEvent(item.index, outcome, fields, reasons.get(item.index, ())))
    return record_publish(db_session(), who, rows)


def audit_token_use(submitted: Incoming, accepted: int, rejected: int) -> None:
    """The audit-log entry of a publish made with an API token (its id and label, never its value), in
    the request's transaction; publishes from the page are in the publish audit only."""
    caller = require_caller()
    if not caller.by_token:
        return
    who = Actor(caller.principal.name, caller.principal.user_id, caller.credential.id, request.remote_addr,
                request_id())
    label = f" ({caller.token_label})" if caller.token_label else ""
    record(db_session(), PUBLISH, who, f"token {caller.credential.id}{label} published {accepted} event(s), "
           f"{rejected} rejected ({submitted.channel})",
           {"token_id": caller.credential.id, "token_label": caller.token_label, "channel": submitted.channel,
            "accepted": accepted, "rejected": rejected, "principal": principal_header(caller.principal).decode()},
           outcome=OK if accepted else FAILED)


def unsent(rows: list[PublishAudit], verdict: Verdict, accepted: set[int]) -> None:
    """Mark the rows of valid events that Kafka did not store as rejected, with its reason."""
    reasons = {r["index"]: r["reasons"] for r in verdict.rejected}
    for row in rows:
        if row.outcome == ACCEPTED and row.row_index not in accepted:
            row.outcome, row.reasons = REJECTED, reasons.get(row.row_index)
    db_session().flush()


def _readable(document: Any) -> dict[str, Any]:
    return document if isinstance(document, dict) else {}
