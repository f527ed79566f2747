"""After the award: the instalments of each award's payment schedule, the officer's review of each
report, and the terms the program and each award carry (Schedule H class, agreement signed).

Money is integer cents. The schedule of an award is the set of its instalments; those not
cancelled always add up to the award (grantflow/awards/schedules.py refuses any change that would
break that, and flags a schedule the award itself moved away from).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow

# Stored states of an instalment; "due" is derived (scheduled, its date reached, its condition met).
SCHEDULED = "scheduled"
PAID = "paid"
ON_HOLD = "on_hold"
CANCELLED = "cancelled"
DUE = "due"
STATUS_LABELS = {SCHEDULED: _l("scheduled"), DUE: _l("due"), PAID: _l("paid"), ON_HOLD: _l("on hold"),
                 CANCELLED: _l("cancelled")}

# What must happen before an instalment may be paid.
NO_CONDITION = ""
AGREEMENT_SIGNED = "agreement_signed"
REPORT_ACCEPTED = "report_accepted"
CONDITIONS = (NO_CONDITION, AGREEMENT_SIGNED, REPORT_ACCEPTED)

METHODS = (("ach", _l("ACH transfer")), ("check", _l("Check")), ("wire", _l("Wire transfer")), ("card", _l("Card")),
           ("other", _l("Other")))


class Instalment(db.Model):
    __tablename__ = "instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[dt.date] = mapped_column(Date)
    condition: Mapped[str] = mapped_column(String(24), default=NO_CONDITION)
    # The report whose acceptance unlocks this instalment (condition REPORT_ACCEPTED).
    condition_report_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED, index=True)
    paid_on: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)
    method: Mapped[Optional[str]] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(120), default="")
    paid_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paid_recorded_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # Why it is on hold, or why it was cancelled.
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# The officer's review of a report: accepted, or changes asked for; a conversation the officer
# records stands in for a written report (trust-based reporting) and counts as accepted.
ACCEPTED = "accepted"
CHANGES_REQUESTED = "changes_requested"


class ReportReview(db.Model):
    """The latest review of one progress report (earlier ones are in the audit trail)."""

    __tablename__ = "report_reviews"

    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    # Set when a conversation stands in for the written report: the day it was held.
    conversation_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgramAwardTerms(db.Model):
    """What every award of a program carries unless the award says otherwise."""

    __tablename__ = "program_award_terms"

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    schedule_h: Mapped[Optional[str]] = mapped_column(String(24))


class AwardTerms(db.Model):
    """One award's own terms: its Schedule H class (over the program's) and the agreement's signing.

    `agreement_signed_at` is what the "on signing the agreement" condition waits for; the
    agreements feature sets it through `grantflow.awards.schedules.agreement_signed`."""

    __tablename__ = "award_terms"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    schedule_h: Mapped[Optional[str]] = mapped_column(String(24))
    agreement_signed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    agreement_signed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
