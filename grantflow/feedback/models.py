"""Feedback both ways: burden surveys, advisors' rankings, grantee check-ins, "you said, we did"."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core import translations
from grantflow.core.db import UTCDateTime, db, utcnow


class BurdenSurvey(db.Model):
    """What applying cost. An anonymous answer keeps no application, organization or exact time."""

    __tablename__ = "burden_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    hours_spent: Mapped[Optional[float]]
    who_helped: Mapped[list] = mapped_column(JSON, default=list)
    clarity: Mapped[Optional[int]]
    fairness: Mapped[Optional[int]]
    respect: Mapped[Optional[int]]
    burden: Mapped[Optional[int]]
    what_to_change: Mapped[str] = mapped_column(Text, default="")
    submitted_on: Mapped[dt.date] = mapped_column(Date)  # a date only: no timestamp to join on


class AdvisorRanking(db.Model):
    """A community advisor's rank of one CHNA need or place, with a comment."""

    __tablename__ = "advisor_rankings"

    id: Mapped[int] = mapped_column(primary_key=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[Optional[int]] = mapped_column(ForeignKey("priority_needs.id", ondelete="CASCADE"))
    place_id: Mapped[Optional[int]] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"))
    rank: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# Kinds of progress report: check-ins follow the program's schedule (grantflow/feedback/checkins.py);
# interim and final reports are an award's own requirements (grantflow/awards/reports.py).
CHECKIN = "checkin"
INTERIM = "interim"
FINAL = "final"


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=CHECKIN, server_default=CHECKIN)
    due_on: Mapped[dt.date] = mapped_column(Date)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    measures: Mapped[dict] = mapped_column(JSON, default=dict)
    how_funder_could_help: Mapped[str] = mapped_column(Text, default="")
    reminder_sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)


class YouSaidWeDid(db.Model):
    __tablename__ = "you_said_we_did"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(40))  # burden, fairness, priorities, other
    we_heard: Mapped[str] = mapped_column(Text)
    we_did: Mapped[str] = mapped_column(Text)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BurdenSurveyDone(db.Model):
    """Which applications have answered the burden survey, so it is offered only once.

    Deliberately holds no reference to the survey row and no time: an anonymous answer cannot be
    joined back to its application through this table (tests/feedback/test_anonymity.py)."""

    __tablename__ = "burden_survey_done"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)


class ApplicantNote(db.Model):
    """A program officer's own words for the applicant: "what would have strengthened it"."""

    __tablename__ = "applicant_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# "You said, we did" in the applicants' language (grantflow/core/translations.py).
translations.register("you_said", YouSaidWeDid, ("we_heard", "we_did"))
