"""Stored events: one row per (source, publisher, event_id), holding its newest version, and the links that let
declaration-level and vessel-level events reach the containers they cover."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class StoredEvent(Base):
    __tablename__ = "events"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(32), primary_key=True)  # an event is its publisher's
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(48))
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    classifier: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    container_no: Mapped[str | None] = mapped_column(String(11), index=True)
    containers: Mapped[list[str] | None] = mapped_column(JSON)
    declaration_no: Mapped[str | None] = mapped_column(String(18), index=True)
    bl_no: Mapped[str | None] = mapped_column(String(41))
    vessel_imo: Mapped[str | None] = mapped_column(String(7))
    voyage: Mapped[str | None] = mapped_column(String(16))
    terminal: Mapped[str | None] = mapped_column(String(16))
    port: Mapped[str] = mapped_column(String(5))
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))
    declarant_uscc: Mapped[str | None] = mapped_column(String(18))
    customs_code: Mapped[str | None] = mapped_column(String(8))
    retracts: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[list[str] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_events_voyage", "vessel_imo", "voyage"),
                      # feed health (portal/feeds): a publisher's newest events and its last hour
                      Index("ix_events_publisher_occurred_at", "source", "publisher", "occurred_at"))


class DeclarationContainer(Base):
    """A container a declaration covers: from its `containers` list, or an event naming both. Only
    ever added to (a set union), so every store that saw the same events holds the same links."""

    __tablename__ = "declaration_containers"

    declaration_no: Mapped[str] = mapped_column(String(18), primary_key=True)
    container_no: Mapped[str] = mapped_column(String(11), primary_key=True, index=True)


class VoyageContainer(Base):
    """A container seen on a vessel call: vessel events reach it through this link."""

    __tablename__ = "voyage_containers"

    vessel_imo: Mapped[str] = mapped_column(String(7), primary_key=True)
    voyage: Mapped[str] = mapped_column(String(16), primary_key=True)
    container_no: Mapped[str] = mapped_column(String(11), primary_key=True, index=True)
