"""Demo logins for `clearance run`: one per role, bound to parties the simulator publishes for, so the
demo moves for every one of them. Created once; the password is for a local demo only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from clearance.simulate.world import BROKERS, ENTERPRISES, TERMINALS
from models.user import Role, create_user, find_user

DEMO_PASSWORD = "demo-clearance"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: Role
    uscc: str | None
    terminal: str | None
    what: str


DEMO_ACCOUNTS = (
    DemoAccount("demo-exporter", Role.ENTERPRISE, ENTERPRISES[0].uscc, None, ENTERPRISES[0].name),
    DemoAccount("demo-broker", Role.ENTERPRISE, BROKERS[0].uscc, None, BROKERS[0].name),
    DemoAccount("demo-terminal", Role.TERMINAL, None, TERMINALS[0].code, TERMINALS[0].name),
    DemoAccount("demo-port-office", Role.PORT_OFFICE, None, None, "Yantai port office 烟台港口办"),
)


def ensure_demo_accounts(session: Session) -> list[DemoAccount]:
    """Create the demo users that do not exist yet (the caller commits); returns all of them."""
    for account in DEMO_ACCOUNTS:
        if find_user(session, account.name) is None:
            create_user(session, account.name, account.role, uscc=account.uscc, terminal=account.terminal,
                        password=DEMO_PASSWORD)
    return list(DEMO_ACCOUNTS)
