"""Whether a caller may look at a declaration, as one query that finds the declaration and applies the
caller's scope together, so that another's declaration and one that does not exist cost the same work
(one statement, no rows read into Python) and existence does not show in the answer's time.

The condition is necessary, not sufficient: the exact rule is `models.access.declaration_visible` over
the declaration's effective events, applied after it (it differs only where retracted events alone
named the caller, or where a terminal's visit mentions the number without carrying it).
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Text, cast, exists, false, or_, select
from sqlalchemy.orm import Session

from models.access import Principal
from models.container import ContainerVisit
from models.event import DeclarationContainer, StoredEvent
from models.user import Role


def may_see_declaration(session: Session, principal: Principal, declaration_no: str) -> bool:
    """Is the declaration stored and, at first sight, the principal's? Port office: any stored event
    names it; enterprise: one naming its USCC does; terminal: a visit at its terminal of one of the
    declaration's containers mentions it."""
    return bool(session.scalar(select(_scoped(principal, declaration_no))))


def _scoped(principal: Principal, declaration_no: str) -> ColumnElement[bool]:
    named = StoredEvent.declaration_no == declaration_no
    if principal.role == Role.PORT_OFFICE.value:
        return exists().where(named)
    if principal.role == Role.ENTERPRISE.value and principal.uscc:
        return exists().where(named, or_(StoredEvent.enterprise_uscc == principal.uscc,
                                         StoredEvent.declarant_uscc == principal.uscc))
    if principal.role == Role.TERMINAL.value and principal.terminal:
        return exists().where(
            DeclarationContainer.declaration_no == declaration_no,
            ContainerVisit.container_no == DeclarationContainer.container_no,
            ContainerVisit.terminal == principal.terminal,
            cast(ContainerVisit.state, Text).contains(f'"{declaration_no}"', autoescape=True))
    return false()
