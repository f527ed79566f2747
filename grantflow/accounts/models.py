"""People who log in, and the memberships that give them a role in an organization."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantflow.core import roles as R
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

    def team_role_in(self, organization_id: int) -> str | None:
        """The person's role on the team of a CBO or network (None: not on it)."""
        return next((m.team_role for m in self.memberships
                     if m.organization_id == organization_id and m.role == R.APPLICANT), None)


def _team_role_default(context) -> str | None:
    """A new applicant membership is an admin of its organization's team unless it says otherwise
    (the person who registers an organization, the first people of an imported one)."""
    return R.TEAM_ADMIN if context.get_current_parameters().get("role") == R.APPLICANT else None


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
    # For the applicant role: admin, editor or viewer on the organization's team (core/roles.py).
    team_role: Mapped[Optional[str]] = mapped_column(String(16), default=_team_role_default)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped["Organization"] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """Funder staff, reviewers and advisors, and colleagues on a CBO's team (role "applicant" with
    a `team_role`), join by invitation: single use, expiring, revocable; only a hash of the token
    is kept (resending makes a new token, so an older link stops working)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(32))
    team_role: Mapped[Optional[str]] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime)

    organization: Mapped["Organization"] = relationship()

    @property
    def role_label(self) -> str:
        return R.TEAM_LABELS[self.team_role] if self.team_role else R.LABELS.get(self.role, self.role)
