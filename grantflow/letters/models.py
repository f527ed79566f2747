"""The funder's letterhead, the letter templates a funder edits, and the letters issued for
decisions (with their SHA-256, what they were made from, and whether the applicant has them)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core import translations
from grantflow.core.db import UTCDateTime, db, utcnow


class Letterhead(db.Model):
    """What heads and signs every letter of one funder, set once by the funder's admin. No letter
    is issued until the signatory's name and title are set (`render.missing_for_issue`)."""

    __tablename__ = "letterheads"

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # blank: the funder's name
    address: Mapped[str] = mapped_column(Text, default="")  # one line per line
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    logo_stored_name: Mapped[Optional[str]] = mapped_column(String(64))
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    signature_stored_name: Mapped[Optional[str]] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


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
    # At most one current (not superseded) letter per decision, even with two workers racing.
    __table_args__ = (
        Index("uq_issued_letters_current", "decision_id", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    stored_name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("letter_batches.id", ondelete="SET NULL"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A re-issue keeps the earlier letter and marks it superseded, so the change is visible.
    superseded_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # SHA-256 of what the letter was made from (wording, letterhead, signatory, decision): when it
    # differs from today's, the letter is out of date (`render.inputs_fingerprint`).
    inputs_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The message telling the applicant it is on their application page, and their first download.
    message_id: Mapped[Optional[int]] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    downloaded_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)


BATCH_RUNNING = "running"
BATCH_ZIPPING = "zipping"
BATCH_DONE = "done"


class LetterBatch(db.Model):
    """All letters of a program, issued by the task queue; progress is counted from IssuedLetter
    rows, so workers never race on a counter and a resumed batch knows what is left."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    kinds: Mapped[list] = mapped_column(JSON, default=list)  # ["award"] or ["award", "decline"]
    reissue: Mapped[bool] = mapped_column(default=False)
    decision_ids: Mapped[list] = mapped_column(JSON, default=list)  # fixed when the batch starts
    status: Mapped[str] = mapped_column(String(16), default=BATCH_RUNNING)
    error: Mapped[Optional[str]] = mapped_column(Text)
    zip_stored_name: Mapped[Optional[str]] = mapped_column(String(120))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)


OFFERED = "offered"
ACCEPTED = "accepted"
COUNTERSIGNED = "countersigned"
DECLINED = "declined"
EXPIRED = "expired"  # shown, never stored: an offer past `expires_at` that nobody answered
# The states in a sentence of the reader's language ("it is %(status)s").
STATUS_LABELS = {OFFERED: _l("awaiting signature"), ACCEPTED: _l("signed by the grantee"),
                 COUNTERSIGNED: _l("countersigned"), DECLINED: _l("closed: declined, or replaced by a new offer"), EXPIRED: _l("expired")}


class GrantAgreement(db.Model):
    """An award's grant agreement, signed electronically (the ESIGN/UETA pattern): the awardee's
    signer consents to sign electronically, types their name and title with the intent to sign,
    and is recorded (who, when, from where) against the SHA-256 of the agreement as shown; the
    officer countersigns the same way. Each step's PDF is kept: as shown, signed, countersigned."""

    __tablename__ = "grant_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OFFERED)
    stored_name: Mapped[str] = mapped_column(String(120))  # the agreement as shown
    sha256: Mapped[str] = mapped_column(String(64))
    offered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The language it was issued in, and so is signed in (its consent and signature pages too);
    # null: English (the agreements issued before there were languages).
    language: Mapped[Optional[str]] = mapped_column(String(16))
    # The awardee's signature, and the PDF with its signature page.
    signer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_ip: Mapped[str] = mapped_column(String(64), default="")
    signed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    signed_stored_name: Mapped[Optional[str]] = mapped_column(String(120))
    signed_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The officer's countersignature, and the final PDF with both signature pages.
    countersigner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    countersigner_name: Mapped[str] = mapped_column(String(200), default="")
    countersigner_title: Mapped[str] = mapped_column(String(200), default="")
    countersigner_ip: Mapped[str] = mapped_column(String(64), default="")
    countersigned_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    final_stored_name: Mapped[Optional[str]] = mapped_column(String(120))
    final_sha256: Mapped[str] = mapped_column(String(64), default="")
    declined_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    def shown_status(self, now: dt.datetime) -> str:
        return EXPIRED if self.status == OFFERED and now >= self.expires_at else self.status


# A letter kind's wording in the organization's language (grantflow/letters/render.py, `in_letter_language`).
TRANSLATED_WORDING = ("body", "payment_schedule", "reporting_requirements", "conditions")
translations.register("letter", LetterTemplate, TRANSLATED_WORDING)
