"""/api/v1/alert-rules: the time limits. Everyone signed in reads them (they are published limits); only
the port office changes them, and every change is audited (GET …/<id>/changes)."""
from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from sqlalchemy import select

from models.access import Principal
from models.alert_rules import (
    AlertRule,
    RuleNotFound,
    RuleSettings,
    add_rule,
    may_edit_rules,
    remove_rule,
    rule_changes,
    rule_record,
    update_rule,
)
from models.time_limits import RuleError
from portal.alert_rules.schemas import (
    NewRuleSchema,
    RuleChangeListSchema,
    RuleListSchema,
    RuleSchema,
    RuleSettingsSchema,
)
from portal.alerts import now
from portal.auth.principal import authenticate, require_principal
from portal.db import db_session
from portal.errors import NotFound, PortalError

blp = Blueprint("alert_rules", __name__, url_prefix="/api/v1/alert-rules",
                description="Operation time limits (作业时限): per step, terminal and size")
blp.before_request(authenticate)


class Forbidden(PortalError):
    status, code = 403, "forbidden"


class InvalidRule(PortalError):
    status, code = 422, "invalid_arguments"


def _editor() -> Principal:
    principal = require_principal()
    if not may_edit_rules(principal):
        raise Forbidden("only the port office changes time limits")
    return principal


def _settings(body: dict[str, Any]) -> RuleSettings:
    return RuleSettings(body["warning_seconds"], body["alarm_seconds"], body["commitment_percent"], body["enabled"])


@blp.route("")
@blp.response(200, RuleListSchema)
def list_rules() -> dict[str, Any]:
    """Every rule: the port-wide ones and each terminal's and size's own."""
    require_principal()
    rows = db_session().scalars(select(AlertRule).order_by(AlertRule.step, AlertRule.id))
    return {"items": [rule_record(row) for row in rows]}


@blp.route("/<int:rule_id>")
@blp.response(200, RuleSchema)
def get_rule(rule_id: int) -> dict[str, Any]:
    require_principal()
    row = db_session().get(AlertRule, rule_id)
    if row is None:
        raise NotFound("no such rule")
    return rule_record(row)


@blp.route("/<int:rule_id>", methods=["PUT"])
@blp.arguments(RuleSettingsSchema)
@blp.response(200, RuleSchema)
def put_rule(body: dict[str, Any], rule_id: int) -> dict[str, Any]:
    """Set a rule's thresholds, commitment and switch (port office). Switching it off clears the alerts
    it raised; the next watcher pass applies the new thresholds to steps not alerted yet."""
    principal, session = _editor(), db_session()
    try:
        row = update_rule(session, rule_id, _settings(body), principal, now())
    except RuleNotFound:
        raise NotFound("no such rule") from None
    except RuleError as exc:
        raise InvalidRule(str(exc)) from None
    session.commit()
    return rule_record(row)


@blp.route("", methods=["POST"])
@blp.arguments(NewRuleSchema)
@blp.response(201, RuleSchema)
def post_rule(body: dict[str, Any]) -> dict[str, Any]:
    """Add a terminal's own rule for a step, or a rule for one size (port office)."""
    principal, session = _editor(), db_session()
    try:
        row = add_rule(session, body["step"], body["terminal"], body["size"], _settings(body), principal, now())
    except RuleError as exc:
        raise InvalidRule(str(exc)) from None
    session.commit()
    return rule_record(row)


@blp.route("/<int:rule_id>", methods=["DELETE"])
@blp.response(204)
def delete_rule(rule_id: int) -> ResponseReturnValue:
    """Remove a terminal's or a size's rule (port office); its visits follow the next less specific one."""
    principal, session = _editor(), db_session()
    try:
        remove_rule(session, rule_id, principal, now())
    except RuleNotFound:
        raise NotFound("no such rule") from None
    except RuleError as exc:
        raise InvalidRule(str(exc)) from None
    session.commit()
    return "", 204


@blp.route("/<int:rule_id>/changes")
@blp.response(200, RuleChangeListSchema)
def get_rule_changes(rule_id: int) -> dict[str, Any]:
    """Who changed the rule, when, before and after, oldest first (port office)."""
    _editor()
    changes = rule_changes(db_session(), rule_id)
    if not changes and db_session().get(AlertRule, rule_id) is None:
        raise NotFound("no such rule")
    return {"items": [{"id": c.id, "rule_id": c.rule_id, "changed_at": c.changed_at.isoformat().replace("+00:00", "Z"),
                       "changed_by": c.changed_by, "action": c.action, "old": c.old, "new": c.new} for c in changes]}
