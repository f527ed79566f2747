"""Funding decisions: award, decline or waitlist, each change kept in the audit trail."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from grantflow.applications.models import Application

AWARD = "award"
DECLINE = "decline"
WAITLIST = "waitlist"
OUTCOMES = (AWARD, DECLINE, WAITLIST)


class Decision(db.Model):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the applicant was emailed about the released decision (once per application).
    notified_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    application: Mapped["Application"] = relationship()
