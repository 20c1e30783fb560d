"""Readiness (GET /readyz) of a worker's port and of the portal, from named checks. A check returns when
what it checks is fine and raises otherwise. The answer names the failed checks; only our own
`NotReady` messages are answered as they are, other errors by their type: /readyz needs no login and a
driver's or client's words may name hosts (they are logged)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)
Check = Callable[[], None]


class NotReady(Exception):
    """A check of our own failed; its message (ours, naming no host) is answered."""


def readiness(checks: Mapping[str, Check]) -> tuple[bool, dict[str, Any]]:
    """Run every check; (all passed, the body: {"ready", "failed": [names], "checks": {name: "ok", a
    NotReady's message, or another error's type}})."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
            log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = str(exc) if isinstance(exc, NotReady) else type(exc).__name__
    failed = [name for name, result in results.items() if result != "ok"]
    return not failed, {"ready": not failed, "failed": failed, "checks": results}
