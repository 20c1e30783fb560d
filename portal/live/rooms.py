"""Who receives what: Socket.IO rooms per (container or "mine") and visibility scope.

Every connection belongs to one scope, the widest set of visits its principal may see: "all" for the port
office, "uscc:<USCC>" for an enterprise, "terminal:<code>" for a terminal operator. An update is filtered
once per scope and emitted to that scope's rooms, so a subscriber never receives a visit it may not see.
"""
from __future__ import annotations

from typing import Any

from models.access import Principal
from models.user import Role


def scope_of(principal: Principal) -> str | None:
    """The scope key of a principal, or None when it may see nothing."""
    if principal.role == Role.PORT_OFFICE.value:
        return "all"
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return f"uscc:{principal.uscc}"
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return f"terminal:{principal.terminal}"
    return None


def scope_principal(scope: str) -> Principal:
    """A principal standing for everyone in a scope, for filtering an update once per scope."""
    if scope == "all":
        return Principal(0, scope, Role.PORT_OFFICE.value, None, None)
    kind, _, value = scope.partition(":")
    if kind == "uscc":
        return Principal(0, scope, Role.ENTERPRISE.value, value, None)
    return Principal(0, scope, Role.TERMINAL.value, None, value)


def scopes_concerned(visits: list[dict[str, Any]]) -> set[str]:
    """Every scope that may see at least one of these visits."""
    scopes = {"all"}
    for visit in visits:
        scopes.update(f"uscc:{u}" for u in (visit.get("enterprise_uscc"), visit.get("declarant_uscc")) if u)
        if visit.get("terminal"):
            scopes.add(f"terminal:{visit['terminal']}")
    return scopes


def container_room(container_no: str, scope: str) -> str:
    return f"container:{container_no}|{scope}"


def mine_room(scope: str) -> str:
    return f"mine|{scope}"
