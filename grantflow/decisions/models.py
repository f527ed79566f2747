"""Funding decisions (award, decline or waitlist, each change kept in the audit trail), their
release to applicants, and the versions of each decision applicants were told."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
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
    # When the applicant was emailed about the released decision (once per release).
    notified_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # From when the applicant sees it (the end of its release's hold); None: not released.
    released_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    release_id: Mapped[Optional[int]] = mapped_column(ForeignKey("decision_releases.id", ondelete="SET NULL"),
                                                      index=True)

    application: Mapped["Application"] = relationship()


SCHEDULED = "scheduled"
RELEASED = "released"
CANCELLED = "cancelled"
UNDONE = "undone"


class Release(db.Model):
    """An officer's release of a program's decisions of some kinds (`outcomes`): now, or scheduled.

    Performed, it makes those decisions visible at `hold_until` and queues their messages to leave
    then; until that time it can be undone. A scheduled release can be cancelled until it runs."""

    __tablename__ = "decision_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    scheduled_for: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    hold_until: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    confirmed_count: Mapped[int] = mapped_column(default=0)  # the count the officer confirmed
    told_count: Mapped[int] = mapped_column(default=0)  # the decisions it made visible
    # Why it went out while applications were still open ("" when they were closed).
    reason: Mapped[str] = mapped_column(Text, default="")
    # The site's address when it was asked for, for the links in messages a worker sends later.
    site_url: Mapped[str] = mapped_column(String(300), default="")
    message_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    performed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)  # cancelled or undone
    ended_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def holding(self, now: dt.datetime) -> bool:
        return self.status == RELEASED and self.hold_until is not None and now < self.hold_until


RELEASED_NOTICE = "released"
CHANGED_NOTICE = "changed"


class DecisionVersion(db.Model):
    """A state of a decision as its applicant was told it: when it was released, then after each
    change of outcome or amount (with the reason given). The applicant's page lists them."""

    __tablename__ = "decision_versions"
    __table_args__ = (UniqueConstraint("decision_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))  # released / changed
    outcome: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    visible_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    release_id: Mapped[Optional[int]] = mapped_column(ForeignKey("decision_releases.id", ondelete="CASCADE"),
                                                      index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
