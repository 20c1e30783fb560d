"""The derived state of a container: its visits (direction and voyage), each with current stage,
holds, flags and timeline. Rebuilt from the stored events whenever one that reaches it changes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Container(Base):
    __tablename__ = "containers"

    container_no: Mapped[str] = mapped_column(String(11), primary_key=True)
    # Bumped each time the derived state changes: live clients catch up by version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    state_hash: Mapped[str] = mapped_column(String(40), default="")
    # Random, new at every rebuild: a worker trusts its memory of what reaches the container only while
    # the row still holds the token that worker wrote (models.reach).
    reach_token: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ContainerVisit(Base):
    __tablename__ = "container_visits"

    container_no: Mapped[str] = mapped_column(
        String(11), ForeignKey("containers.container_no", ondelete="CASCADE"), primary_key=True)
    visit_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    vessel_imo: Mapped[str | None] = mapped_column(String(7))
    voyage: Mapped[str | None] = mapped_column(String(16))
    terminal: Mapped[str | None] = mapped_column(String(16), index=True)
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    declarant_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    current_type: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_container_visits_current", "current_type", "direction"),
                      Index("ix_container_visits_last_event_at", "last_event_at"))
