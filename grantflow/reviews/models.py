"""Review assignments, conflict-of-interest declarations, reviews and per-criterion scores."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow
from grantflow.reviews import reasons

if TYPE_CHECKING:
    from grantflow.accounts.models import User
    from grantflow.applications.models import Application

ASSIGNED = "assigned"
RECUSED = "recused"


class ReviewAssignment(db.Model):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=ASSIGNED)
    no_conflict_confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped["Application"] = relationship()
    reviewer: Mapped["User"] = relationship(foreign_keys=[reviewer_id])
    review: Mapped[Optional["Review"]] = relationship(back_populates="assignment", uselist=False)


class ConflictOfInterest(db.Model):
    """A conflict found in the records or declared by the reviewer; either one recuses.

    Its reason is a code and arguments (grantflow/reviews/reasons.py), worded in the language of
    whoever reads it (`why`); `reason` holds only the text of a reason stored before codes.
    """

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # records, declared, affiliation or recognized
    reason_code: Mapped[Optional[str]] = mapped_column(String(32))
    reason_args: Mapped[Optional[dict]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def why(self) -> reasons.Reason:
        return reasons.stored(self.reason_code, self.reason_args, self.reason)


DRAFT = "draft"
SUBMITTED = "submitted"
# A review whose reviewer was recused afterwards (a conflict declared, the applicant recognized):
# kept for the record, never counted, shown or sent.
SET_ASIDE = "set_aside"


class Review(db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Imported history may name a reviewer that has no account.
    reviewer_label: Mapped[Optional[str]] = mapped_column(String(120))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    comment_to_applicant: Mapped[str] = mapped_column(Text, default="")
    private_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    assignment: Mapped[Optional[ReviewAssignment]] = relationship(back_populates="review")
    scores: Mapped[list["CriterionScore"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class CriterionScore(db.Model):
    __tablename__ = "criterion_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    score: Mapped[Optional[int]]  # None: not scored, never counted as zero

    review: Mapped[Review] = relationship(back_populates="scores")
