"""Blind review's records: terms the applicant adds to the lexicon, redacted copies of attachments
(one per attachment and lexicon version), the program officer's word on an attachment that could
not be fully checked, and a reviewer's conflict declaration for a whole blind program."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grantflow.core.db import UTCDateTime, db, utcnow


class BlindTerm(db.Model):
    """A string the applicant wants hidden from reviewers (a project name, a building, a partner)."""

    __tablename__ = "blind_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


READY = "ready"  # every readable match removed: reviewers may have it
CHECK = "check"  # something could not be checked: withheld until the program officer decides


class RedactedCopy(db.Model):
    """The reviewers' copy of an attachment for one lexicon version (a PDF under
    redacted/ in the file storage, or none when the original could not be read at all)."""

    __tablename__ = "redacted_copies"
    __table_args__ = (UniqueConstraint("attachment_id", "lexicon_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    lexicon_version: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    # What the officer is told: explanations' JSON, worded when read (text as written in older rows).
    problems: Mapped[list] = mapped_column(JSON, default=list)
    masked: Mapped[int] = mapped_column(default=0)  # how many matches were removed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def problem_messages(self) -> list:
        """The problems, each worded in the reader's language when shown."""
        from grantflow.scoring.explain import stored

        return [stored(p, None) if isinstance(p, str) else stored("", p) for p in self.problems or []]


SHOW = "show"
WITHHOLD = "withhold"


class AttachmentRelease(db.Model):
    """The program officer's decision on an attachment whose copy needs a check: shown to the
    reviewers as redacted, or withheld from them."""

    __tablename__ = "attachment_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(String(16))
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlindDeclaration(db.Model):
    """A reviewer's conflicts for a blind program, declared against the list of every organization
    that applied, before reading any application of it (the conflicts themselves are
    ConflictOfInterest rows). `organization_ids` is the list they saw: an organization that
    applies later is asked about again."""

    __tablename__ = "blind_declarations"
    __table_args__ = (UniqueConstraint("program_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_ids: Mapped[list] = mapped_column(JSON, default=list)
    conflict_ids: Mapped[list] = mapped_column(JSON, default=list)  # organizations declared
    affiliations: Mapped[str] = mapped_column(Text, default="")  # one per line, matched automatically
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
