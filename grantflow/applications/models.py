"""Applications with their answers, budget, needs and places served, attachments and status history."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from grantflow.accounts.models import User
    from grantflow.chna.models import Place, PriorityNeed
    from grantflow.organizations.models import Organization
    from grantflow.programs.models import Program, Rubric

DRAFT = "draft"
SUBMITTED = "submitted"
WITHDRAWN = "withdrawn"
INELIGIBLE = "ineligible"
ELIGIBLE = "eligible"
UNDER_REVIEW = "under_review"
RECOMMENDED = "recommended"
AWARDED = "awarded"
DECLINED = "declined"
WAITLISTED = "waitlisted"
STATUSES = (DRAFT, SUBMITTED, WITHDRAWN, INELIGIBLE, ELIGIBLE, UNDER_REVIEW, RECOMMENDED,
            AWARDED, DECLINED, WAITLISTED)
# Not in anyone's review: the applicant's work in progress, or taken back ("it will not be reviewed").
NOT_IN_REVIEW = (DRAFT, WITHDRAWN)
# How a status reads on a page, in the page's language.
STATUS_LABELS = {
    DRAFT: lazy_gettext("draft"), SUBMITTED: lazy_gettext("submitted"), WITHDRAWN: lazy_gettext("withdrawn"),
    INELIGIBLE: lazy_gettext("ineligible"), ELIGIBLE: lazy_gettext("eligible"),
    UNDER_REVIEW: lazy_gettext("under review"), RECOMMENDED: lazy_gettext("recommended"),
    AWARDED: lazy_gettext("awarded"), DECLINED: lazy_gettext("declined"), WAITLISTED: lazy_gettext("waitlisted"),
}

application_needs = Table(
    "application_needs",
    db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("priority_needs.id", ondelete="CASCADE"), primary_key=True),
)
application_places = Table(
    "application_places",
    db.metadata,
    Column("application_id", ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
)


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # A network applying on behalf of one of its members names the member here.
    on_behalf_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organizations.id"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    ref: Mapped[Optional[str]] = mapped_column(String(80))  # funder's own id (imported history)
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    amount_requested_cents: Mapped[Optional[int]] = mapped_column(BigInteger)
    community_voice: Mapped[str] = mapped_column(Text, default="")  # how the people served shape the work
    # The language the answers were typed in: the interface's when the draft was last saved (null:
    # English, the source); reviewers are told it.
    language: Mapped[Optional[str]] = mapped_column(String(16))
    outcomes: Mapped[list] = mapped_column(JSON, default=list)  # [{"metric": ..., "target": ...}]
    rubric_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rubrics.id"))
    first_time_applicant: Mapped[Optional[bool]]
    editing_seconds: Mapped[int] = mapped_column(default=0)
    last_edit_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # The draft's version: every save adds one, and a save made from an older version is refused
    # with the name of whoever saved the newer one (services.stale_draft).
    draft_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    last_edited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Exactly what was typed in the draft form (field name -> list of values), so a draft resumes
    # as it was left even when some values do not fit the typed columns yet.
    draft_form: Mapped[Optional[dict]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # The PDF of what was sent, stored at submission (grantflow/applications/submission_copy.py).
    submission_copy: Mapped[Optional[str]] = mapped_column(String(64))
    submission_copy_sha256: Mapped[Optional[str]] = mapped_column(String(64))

    program: Mapped["Program"] = relationship()
    organization: Mapped["Organization"] = relationship(foreign_keys=[organization_id])
    on_behalf_of: Mapped[Optional["Organization"]] = relationship(foreign_keys=[on_behalf_of_id])
    last_edited_by: Mapped[Optional["User"]] = relationship(foreign_keys=[last_edited_by_id])
    rubric: Mapped[Optional["Rubric"]] = relationship()
    needs: Mapped[list["PriorityNeed"]] = relationship(secondary=application_needs)
    places: Mapped[list["Place"]] = relationship(secondary=application_places)
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="BudgetLine.position"
    )
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    history: Mapped[list["StatusChange"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="StatusChange.id"
    )

    @property
    def applicant(self) -> "Organization":
        """The organization whose work is funded (the member when a network applies for one)."""
        return self.on_behalf_of or self.organization


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("custom_questions.id", ondelete="CASCADE"))
    value: Mapped[Optional[object]] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="answers")


class Attachment(db.Model):
    """A file stored under the instance folder with a random name; served only through the policy."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[Optional[int]] = mapped_column(ForeignKey("custom_questions.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class StatusChange(db.Model):
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[str]] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="history")
