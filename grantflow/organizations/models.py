"""Funders, community-based organizations and networks of CBOs, with their self-reported profiles."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from grantflow.accounts.models import Membership

FUNDER = "funder"
CBO = "cbo"
NETWORK = "network"
KINDS = (FUNDER, CBO, NETWORK)

# A network's invitation to an organization, and the organization's answer.
INVITED = "invited"
ACCEPTED = "accepted"
DECLINED = "declined"


class NetworkMembership(db.Model):
    """A network's membership of an organization, which holds only with the organization's consent.

    The network invites (`invited`); an admin of the organization's team accepts or declines. Only `accepted` lets the network see the member's profile or apply on its behalf
    (`Organization.members` lists only those). A member that leaves, or declines, stays `declined`:
    the network cannot invite it again, the member can still accept later.
    """

    __tablename__ = "network_members"

    network_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    status: Mapped[str] = mapped_column(String(16), default=INVITED, server_default=INVITED)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    network: Mapped["Organization"] = relationship(foreign_keys=[network_id])
    member: Mapped["Organization"] = relationship(foreign_keys=[member_id])



class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ein: Mapped[Optional[str]] = mapped_column(String(10))  # "12-3456789"
    tax_exempt: Mapped[bool] = mapped_column(default=False)
    fiscal_sponsor_name: Mapped[Optional[str]] = mapped_column(String(200))
    fiscal_sponsor_ein: Mapped[Optional[str]] = mapped_column(String(10))
    address_line1: Mapped[Optional[str]] = mapped_column(String(200))
    address_line2: Mapped[Optional[str]] = mapped_column(String(200))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    state: Mapped[Optional[str]] = mapped_column(String(2))
    postal_code: Mapped[Optional[str]] = mapped_column(String(10))
    # Geography keys (zero-padded FIPS / ZCTA strings) of the places the organization serves;
    # for a funder, the geoid prefixes of its region.
    service_area: Mapped[list] = mapped_column(JSON, default=list)
    annual_budget_cents: Mapped[Optional[int]] = mapped_column(BigInteger)
    staff_size: Mapped[Optional[int]]
    year_founded: Mapped[Optional[int]]
    mission: Mapped[Optional[str]] = mapped_column(Text)
    website: Mapped[Optional[str]] = mapped_column(String(300))
    # The person letters are addressed to ("Dear Maria Lopez,"), with their title.
    contact_name: Mapped[Optional[str]] = mapped_column(String(200))
    contact_title: Mapped[Optional[str]] = mapped_column(String(200))
    # The language the organization's messages and letters are written in (grantflow/core/i18n.py);
    # none: the source language, English.
    language: Mapped[Optional[str]] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    # The members that accepted (read-only: a membership is made by invitation and consent, in
    # grantflow/organizations/services.py, never by appending here).
    members: Mapped[list["Organization"]] = relationship(
        secondary=lambda: NetworkMembership.__table__,
        primaryjoin=lambda: and_(Organization.id == NetworkMembership.network_id,
                                 NetworkMembership.status == ACCEPTED),
        secondaryjoin=lambda: Organization.id == NetworkMembership.member_id,
        viewonly=True, order_by=lambda: Organization.name,
    )
    leadership: Mapped[Optional["LeadershipProfile"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", uselist=False
    )
    practices: Mapped[Optional["CommunityPractice"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", uselist=False
    )
    feedback_loops: Mapped[list["FeedbackLoop"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="FeedbackLoop.id"
    )

    @property
    def is_funder(self) -> bool:
        return self.kind == FUNDER


class LeadershipProfile(db.Model):
    """Self-identified leadership demographics, kept only with consent (docs/domain.md, "Identity data").

    The executive director is reported individually (OMB SPD 15 categories, select all that
    apply); board and senior staff as raw counts, from which shares are derived.
    """

    __tablename__ = "leadership_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    consent_given_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    consent_version: Mapped[Optional[str]] = mapped_column(String(20))
    # List of category codes; ["prefer_not_to_say"] or None when not reported.
    ed_race: Mapped[Optional[list]] = mapped_column(JSON)
    ed_race_other: Mapped[Optional[str]] = mapped_column(String(120))
    board_total: Mapped[Optional[int]]
    board_poc: Mapped[Optional[int]]  # None: prefer not to say
    senior_total: Mapped[Optional[int]]
    senior_poc: Mapped[Optional[int]]
    # Names of the count fields the organization preferred not to report (their values stay None).
    declined: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="leadership")


class CommunityPractice(db.Model):
    """Community-led practices: lived experience and residence of board and staff, decision power."""

    __tablename__ = "community_practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    board_total: Mapped[Optional[int]]
    board_lived_experience: Mapped[Optional[int]]
    board_in_service_area: Mapped[Optional[int]]
    staff_total: Mapped[Optional[int]]
    staff_lived_experience: Mapped[Optional[int]]
    staff_in_service_area: Mapped[Optional[int]]
    community_decision_power: Mapped[Optional[bool]]
    decision_power_description: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="practices")


class FeedbackLoop(db.Model):
    """A feedback loop the organization runs with the people it serves."""

    __tablename__ = "feedback_loops"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(40))  # weekly, monthly, quarterly, yearly, ad hoc
    recent_change: Mapped[Optional[str]] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="feedback_loops")
