"""The equity area's rows: a program's audit settings, and what an imported past cycle said.

A funder's spreadsheet of a past cycle records its own yes/no classification (POC-led,
community-led) per application, at that time; it is kept here rather than written into the
organization's current self-reported profile, and the audit uses it for that application only.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow


class HistoricalClassification(db.Model):
    __tablename__ = "historical_classifications"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    poc_led: Mapped[Optional[bool]]
    community_led: Mapped[Optional[bool]]
    source: Mapped[str] = mapped_column(String(200), default="")  # file name it came from
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditSettings(db.Model):
    """A program's own suppression threshold k, set on its audit page (no row: the setting
    AUDIT_SUPPRESSION_K). Raising it withholds more; it is never below suppression.MIN_K."""

    __tablename__ = "audit_settings"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    suppression_k: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
