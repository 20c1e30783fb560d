"""POST /api/v1/events: publish events (one object or a list) to the events topic."""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint

from events.codec import ClearanceEvent, InvalidEvent, encode, from_document
from models.access import Principal, party_of, principal_header, publish_refusals
from models.write_check import write_refusals
from portal.auth.principal import authenticate, require_principal
from portal.db import db_session, reads_only
from portal.errors import InvalidRequest, Unavailable
from portal.events.publisher import event_publisher
from portal.events.schemas import PublishResultSchema, request_body

log = logging.getLogger(__name__)
MAX_EVENTS = 500

blp = Blueprint("events", __name__, url_prefix="/api/v1/events",
                description="Publishing clearance events (docs/contract.md)")
blp.before_request(authenticate)


@blp.route("", methods=["POST"])
@blp.doc(requestBody=request_body(MAX_EVENTS))
@blp.response(202, PublishResultSchema, description="at least one event is on the topic")
@blp.alt_response(400, schema=PublishResultSchema, description="no event accepted (or the body is unusable)")
@reads_only  # publishing goes to Kafka: no database write lock to wait for
def publish() -> ResponseReturnValue:
    """Validate each event against the contract and the caller's publishing rights, send the valid ones
    to Kafka and answer once the broker holds them. A terminal publishes TERMINAL events as itself, an
    enterprise ENTERPRISE events naming its USCC, the port office anything."""
    principal = require_principal()
    documents = _documents(MAX_EVENTS)
    valid, rejected = _checked(principal, documents)
    accepted: list[str] = []
    if valid:
        outcomes = event_publisher().publish([e for _, e in valid], principal_header(principal))
        if all(outcome is not None for outcome in outcomes):
            raise Unavailable("Kafka did not store the events; nothing was published, try again")
        for (index, event), outcome in zip(valid, outcomes):
            if outcome is None:
                accepted.append(event.event_id)
            else:
                rejected.append({"index": index, "reasons": [outcome]})
    rejected.sort(key=lambda r: r["index"])
    log.info("%s published %d event(s), %d rejected", principal.name, len(accepted), len(rejected))
    body: dict[str, Any] = {"accepted": accepted, "rejected": rejected}
    if not accepted:
        body.update(error="no_event_accepted", message="no event was accepted: see rejected[].reasons")
        return body, 400
    return body, 202


def _documents(limit: int) -> list[Any]:
    """The request's events as a list of parsed documents."""
    if not request.is_json:
        raise InvalidRequest("send the events as application/json: one event object or a list")
    try:
        body = json.loads(request.get_data(), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest(f"the body is not acceptable JSON: {str(exc)[:200]}") from None
    documents = body if isinstance(body, list) else [body]
    if not documents:
        raise InvalidRequest("the list holds no event")
    if len(documents) > limit:
        raise InvalidRequest(f"at most {limit} events per request, not {len(documents)}")
    return documents


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _checked(principal: Principal, documents: list[Any]) -> tuple[list[tuple[int, ClearanceEvent]],
                                                                   list[dict[str, Any]]]:
    max_bytes = current_app.config["PORTAL"].settings.max_message_bytes
    valid, rejected = [], []
    for index, document in enumerate(documents):
        try:
            event = from_document(document)
        except InvalidEvent as exc:
            rejected.append({"index": index, "reasons": [exc.reason]})
            continue
        reasons = publish_refusals(principal, event)
        party = party_of(principal)
        if not reasons and party is not None:
            reasons = write_refusals(db_session(), party, event)
        size = len(encode(event))
        if size > max_bytes:
            reasons.append(f"the event is {size} bytes as a message, more than the limit of {max_bytes}")
        if reasons:
            rejected.append({"index": index, "reasons": reasons})
        else:
            valid.append((index, event))
    return valid, rejected
