"""Keeping the audit log within its retention (models.audit_retention): `prune_audit_log` deletes what is
past it, one committed transaction per chunk, for `clearance audit prune`; an `AuditPruner` does the same
from the overdue watcher's process every PRUNE_EVERY_SECONDS, at most MAX_CHUNKS chunks a time, so that
a first prune of a large log is spread over the watcher's intervals instead of delaying its passes.

Every prune that deletes something leaves an entry of its own in the log (kind `audit_prune`: who, how
many, the cutoff), committed with each chunk it counts: the port office sees that entries went, and when.
Only counts and the cutoff are logged: an entry's words (the names logins tried) are not."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.audit_log import Actor, record_prune
from models.audit_retention import PRUNE_CHUNK, delete_entries_before, retention_cutoff

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0  # the log grows by logins and publishes: once an hour keeps it within a day
MAX_CHUNKS = 10  # a watcher's prune deletes at most this many chunks, then waits for its next interval
WATCHER = "overdue watcher"  # who the watcher's prunes are recorded as


def prune_audit_log(sessions: sessionmaker[Session], cutoff: datetime, chunk: int = PRUNE_CHUNK,
                    max_chunks: int | None = None, *, by: str, retention_days: float) -> int:
    """Delete the entries stamped before `cutoff`, oldest first, `chunk` at a time, each chunk committed
    with the prune's own entry (recorded as done `by`, keeping `retention_days`); stop when none is left
    or after `max_chunks` chunks. Returns how many were deleted. Raises database errors (what was
    committed before stays deleted, and counted: pruning again carries on)."""
    deleted = chunks = 0
    entry_id: int | None = None
    while max_chunks is None or chunks < max_chunks:
        with sessions() as session:
            gone = delete_entries_before(session, cutoff, chunk)
            if gone:
                entry_id = record_prune(session, entry_id, Actor(by), cutoff, deleted + gone, retention_days)
            session.commit()
        deleted += gone
        chunks += 1
        if gone < chunk:
            break
    return deleted


class AuditPruner:
    """Prunes the audit log past `retention_days` (0: never) when due; `step()` from the watcher's loop."""

    def __init__(self, sessions: sessionmaker[Session], retention_days: int, clock: Callable[[], datetime],
                 every_seconds: float = PRUNE_EVERY_SECONDS, chunk: int = PRUNE_CHUNK,
                 max_chunks: int = MAX_CHUNKS) -> None:
        self.sessions = sessions
        self.retention_days = retention_days
        self.clock = clock
        self.every_seconds = every_seconds
        self.chunk = chunk
        self.max_chunks = max_chunks
        self.next_at = 0.0  # time.monotonic() of the next prune: the first at once

    def step(self) -> int:
        """Prune if due; returns how many entries were deleted. When the chunks ran out before the old
        entries did, the next step prunes again at once; otherwise in `every_seconds`. Raises database
        errors (then it is due again at the next step)."""
        if self.retention_days <= 0 or time.monotonic() < self.next_at:
            return 0
        cutoff = retention_cutoff(self.clock(), self.retention_days)
        deleted = prune_audit_log(self.sessions, cutoff, self.chunk, self.max_chunks, by=WATCHER,
                                  retention_days=self.retention_days)
        more_left = deleted >= self.chunk * self.max_chunks
        self.next_at = time.monotonic() + (0.0 if more_left else self.every_seconds)
        if deleted:
            log.info("audit log: %s entries older than %s deleted (%s days kept)%s", deleted,
                     cutoff.isoformat(timespec="seconds"), self.retention_days, "; more next time" if more_left else "")
        return deleted
