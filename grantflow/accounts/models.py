"""People who log in, and the memberships that give them a role in an organization."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from grantflow.organizations.models import Organization


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # Set when the person opened the link we emailed; unverified accounts cannot log in.
    email_verified_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    # The interface language the person chose (grantflow/core/i18n.py); none: their browser's.
    locale: Mapped[Optional[str]] = mapped_column(String(16))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The login session this request runs in (grantflow/accounts/sessions.py), not stored here.
    login_id = None
    session_id = None

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id, which its cookies carry: it names a server-side session. Without one
        (a user never logged in through accounts.sessions.start) it is the bare id, which the
        user loader never accepts."""
        return self.login_id or str(self.id)

    def roles_in(self, organization_id: int) -> set[str]:
        return {m.role for m in self.memberships if m.organization_id == organization_id}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def organizations_with(self, *roles: str) -> list["Organization"]:
        return [m.organization for m in self.memberships if m.role in roles]


class Membership(db.Model):
    """A user's role in one organization; a person may hold several."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    # For CBO staff: "staff", "board member", "executive director"... used in conflict checks.
    title: Mapped[Optional[str]] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped["Organization"] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """Funder staff, reviewers and advisors join by invitation; only a hash of the token is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    organization: Mapped["Organization"] = relationship()
