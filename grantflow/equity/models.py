"""What an imported past cycle said about each application when the profile cannot say it.

A funder's spreadsheet of a past cycle records its own yes/no classification (POC-led,
community-led) per application, at that time; it is kept here rather than written into the
organization's current self-reported profile, and the audit uses it for that application only.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow


class HistoricalClassification(db.Model):
    __tablename__ = "historical_classifications"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    poc_led: Mapped[Optional[bool]]
    community_led: Mapped[Optional[bool]]
    source: Mapped[str] = mapped_column(String(200), default="")  # file name it came from
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
