"""models.access: the SQL visibility filter says what the Python rule says, on both databases; the
publishing rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models.access import Principal, declaration_visible, publish_refusals, visible_visits, visit_visible
from models.container import ContainerVisit
from tests.portal.conftest import Sessions
from tests.portal.test_views import PRINCIPALS
from tests.portal.world import ROLES, USCC_A, USCC_B, VISIBLE, world_events
from tests.support.factories import event


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("role", [*ROLES, "unbound"])
def test_sql_filter_and_python_rule_agree(db: Sessions, role: str) -> None:
    principal = PRINCIPALS.get(role) or Principal(9, "x", "enterprise", None, None)
    with db() as session:
        everything = list(session.scalars(select(ContainerVisit)))
        in_sql = {(v.container_no, v.visit_key) for v in session.scalars(
            select(ContainerVisit).where(visible_visits(principal)))}
    assert len(everything) == 4
    assert in_sql == {(v.container_no, v.visit_key) for v in everything if visit_visible(principal, v.state)}
    expected = {(c, d) for c, ds in VISIBLE.get(role, {}).items() for d in ds}
    assert {(v.container_no, v.direction) for v in everything if (v.container_no, v.visit_key) in in_sql} == expected


def test_declaration_rule() -> None:
    events = [e for e in world_events() if e.declaration_no == "420120260000000123"]
    assert declaration_visible(PRINCIPALS["enterprise_a"], events, 0)
    assert declaration_visible(PRINCIPALS["broker"], events, 0)
    assert not declaration_visible(PRINCIPALS["enterprise_b"], events, 5)
    assert declaration_visible(PRINCIPALS["terminal_ytct"], events, 1)
    assert not declaration_visible(PRINCIPALS["terminal_ytct"], events, 0)
    assert declaration_visible(PRINCIPALS["port_office"], [], 0)


TERMINAL_YTCT = Principal(1, "t", "terminal", None, "YTCT")
ENTERPRISE_A = Principal(2, "a", "enterprise", USCC_A, None)


FILING = {"source": "ENTERPRISE", "container_no": None, "declaration_no": "420120260000000123",
          "terminal": None}


@pytest.mark.parametrize("principal, type, fields, refused", [
    (TERMINAL_YTCT, "GATE_IN", {}, []),
    (TERMINAL_YTCT, "GATE_IN", {"publisher": "YTGD", "terminal": "YTGD"},
     ["publisher: must be your terminal YTCT, not YTGD", "terminal: must be your terminal YTCT, not YTGD"]),
    (TERMINAL_YTCT, "LOADED", {"source": "TALLY", "publisher": "YTTALLY"},
     ["source: a terminal operator publishes TERMINAL events, not TALLY",
      "publisher: must be your terminal YTCT, not YTTALLY"]),
    (ENTERPRISE_A, "DECLARATION_FILED", {**FILING, "publisher": USCC_A}, []),
    (ENTERPRISE_A, "DECLARATION_FILED", {**FILING, "publisher": USCC_A, "enterprise_uscc": USCC_B,
                                         "declarant_uscc": USCC_A}, []),
    (ENTERPRISE_A, "DECLARATION_FILED", {**FILING, "publisher": USCC_B, "enterprise_uscc": USCC_B},
     [f"publisher: must be your USCC {USCC_A}, not {USCC_B}",
      f"enterprise_uscc or declarant_uscc must be your USCC {USCC_A}"]),
    (ENTERPRISE_A, "GATE_IN", {}, ["source: an enterprise publishes ENTERPRISE events, not TERMINAL",
                                   f"publisher: must be your USCC {USCC_A}, not YTCT"]),
    (Principal(3, "p", "port-office", None, None), "VESSEL_ARRIVED",
     {"source": "CARRIER", "publisher": "SITC", "container_no": None, "terminal": None}, []),
    (Principal(4, "x", "enterprise", None, None), "GATE_IN", {}, ["role 'enterprise' may not publish"]),
])
def test_publishing_rule(principal: Principal, type: str, fields: dict, refused: list[str]) -> None:
    assert publish_refusals(principal, event(type, "x1", "2026-11-20T08:00:00+08:00", **fields)) == refused
