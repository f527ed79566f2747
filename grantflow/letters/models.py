"""Letter templates a funder edits, and the letters issued for decisions (with their SHA-256)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow


class LetterTemplate(db.Model):
    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("program_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # award / decline
    body: Mapped[str] = mapped_column(Text)  # sandboxed Jinja with placeholders
    payment_schedule: Mapped[str] = mapped_column(Text, default="")
    reporting_requirements: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    logo_stored_name: Mapped[Optional[str]] = mapped_column(String(64))
    include_feedback: Mapped[bool] = mapped_column(default=True)
    pdf_variant: Mapped[str] = mapped_column(String(16), default="pdf/ua-1")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IssuedLetter(db.Model):
    __tablename__ = "issued_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stored_name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A re-issue keeps the earlier letter and marks it superseded, so the change is visible.
    superseded_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
