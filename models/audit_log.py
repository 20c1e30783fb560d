"""The audit log the port office reads: who did what, when, in one table (`audit_log`, migration 0012).

Kinds (`KINDS`): browser logins, succeeded or failed, with the name tried (never the password); publishing
requests made with an API token (the token's id and label, never its value; every event of a publish is
also in `publish_audit`); changes to the time-limit rules (what changed, before and after); dead-letter
replays (`clearance dlq replay`, one entry per batch of letters confirmed); prunes of the log itself
(`clearance audit prune` and the overdue watcher's hourly one: how many entries went, stamped before
when). Each entry is written by the code that does what it records, in the same transaction where there
is one.

Functions take a Session first, flush, and never commit.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from events.schema import printable
from models.base import Base, UTCDateTime
from models.user import User, now

LOGIN, PUBLISH, RULE_EDIT, DLQ_REPLAY, AUDIT_PRUNE = "login", "publish", "rule_edit", "dlq_replay", "audit_prune"
KINDS = (LOGIN, PUBLISH, RULE_EDIT, DLQ_REPLAY, AUDIT_PRUNE)
OK, FAILED, THROTTLED = "ok", "failed", "throttled"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))  # ok, failed, throttled
    actor: Mapped[str] = mapped_column(String(64))  # the user (or the name tried, or the operator)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: kept as it was used
    address: Mapped[str | None] = mapped_column(String(64))  # the client's address, for portal requests
    request_id: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_kind_at", "kind", "at"), Index("ix_audit_log_actor_at", "actor", "at"))


@dataclass(frozen=True)
class Actor:
    """Who did it: a name (a user's, the name a login tried, or an operator's) and what identifies them."""

    name: str
    user_id: int | None = None
    token_id: int | None = None
    address: str | None = None
    request_id: str | None = None


def record(session: Session, kind: str, actor: Actor, summary: str, detail: dict[str, Any] | None = None,
           outcome: str = OK) -> AuditEntry:
    """Add one entry (stamped now). Names and summaries are cut to their columns and their control
    characters escaped: a failed login's name is whatever was typed."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    # the name is kept whatever; the link to the account only while there is one (a principal of a
    # service, or of a user removed since, has none to point at)
    user_id = actor.user_id if actor.user_id is not None and session.get(User, actor.user_id) is not None else None
    entry = AuditEntry(at=now(), kind=kind, outcome=outcome, actor=_clean(actor.name, 64), user_id=user_id,
                       token_id=actor.token_id, address=_clean(actor.address, 64) if actor.address else None,
                       request_id=actor.request_id[:16] if actor.request_id else None,
                       summary=_clean(summary, 200), detail=detail)
    session.add(entry)
    session.flush()
    return entry


RULE_FIELDS = ("warning_seconds", "alarm_seconds", "commitment_percent", "enabled")


def record_rule_edit(session: Session, rule_id: int, action: str, old: dict[str, Any] | None,
                     new: dict[str, Any] | None, by: Actor) -> AuditEntry:
    """The entry of a time-limit rule created, updated or deleted (`models.alert_rules`, in its
    transaction): which rule, and each setting that changed as [before, after]."""
    rule = new or old or {}
    changed = {name: [(old or {}).get(name), (new or {}).get(name)] for name in RULE_FIELDS
               if (old or {}).get(name) != (new or {}).get(name)}
    where = f"{rule.get('terminal') or 'port-wide'}, size {rule.get('size') or 'any'}"
    summary = f"{action} rule {rule_id} {rule.get('step')} ({where}): " + (
        ", ".join(changed) if action == "update" else "all settings")
    detail = {"rule_id": rule_id, "action": action, "step": rule.get("step"), "terminal": rule.get("terminal"),
              "size": rule.get("size"), "changed": changed}
    return record(session, RULE_EDIT, by, summary, detail)


def record_prune(session: Session, entry_id: int | None, by: Actor, cutoff: datetime, deleted: int,
                 retention_days: float) -> int:
    """The entry of one prune (`ingest.audit_prune`): made in the transaction of its first chunk and
    brought up to date in each later chunk's, so that every deletion committed is counted by an entry
    committed with it, however the prune ends. Returns the entry's id, for the next chunk."""
    summary = f"deleted {deleted} entries stamped before {cutoff:%Y-%m-%d %H:%M:%S}Z ({retention_days:g} days kept)"
    detail = {"deleted": deleted, "cutoff": cutoff.isoformat(timespec="seconds"), "retention_days": retention_days}
    entry = session.get(AuditEntry, entry_id) if entry_id is not None else None
    if entry is None:
        return record(session, AUDIT_PRUNE, by, summary, detail).id
    entry.summary, entry.detail = _clean(summary, 200), detail
    session.flush()
    return entry.id


def _clean(text: str | None, size: int) -> str:
    return printable((text or "").encode("utf-8", "backslashreplace").decode())[:size]


@dataclass(frozen=True)
class AuditQuery:
    """What the port office asks for: any of a kind, an actor (exact name), entries since a time."""

    kind: str | None = None
    actor: str | None = None
    since: datetime | None = None


def page_of_entries(session: Session, query: AuditQuery, page: int, per_page: int) -> tuple[Sequence[AuditEntry], int]:
    """One page of the entries matching `query`, newest first, and how many match in all."""
    conditions = []
    if query.kind:
        conditions.append(AuditEntry.kind == query.kind)
    if query.actor:
        conditions.append(AuditEntry.actor == query.actor)
    if query.since:
        conditions.append(AuditEntry.at >= query.since)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = session.scalars(select(AuditEntry).where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
