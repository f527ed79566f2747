"""Account operations: registration, login checks, reset tokens, invitations."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from flask_babel import gettext as _
from sqlalchemy import func, select

from grantflow.accounts.models import Invitation, Membership, User
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.auth import hash_password, verify_password
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import current_locale
from grantflow.core.text import unique_slug
from grantflow.organizations.models import Organization


class AccountError(Exception):
    """A problem to show the user next to the field named in `field`."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def language_of(user: User) -> str:
    """The language to write to someone in: their saved choice, else the language of an organization
    they belong to, else the language being rendered (the page they asked from; English in a job)."""
    chosen = user.locale or next((m.organization.language for m in user.memberships if m.organization.language),
                                 None)
    return chosen or current_locale()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(func.lower(User.email) == normalize_email(email))
    ).scalar_one_or_none()


def create_user(email: str, name: str, password: str, *, verified: bool = False) -> User:
    if find_user(email) is not None:
        raise AccountError(_("An account with this email already exists. Log in or reset your password."), "email")
    user = User(email=normalize_email(email), name=name.strip(), password_hash=hash_password(password),
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    return user


def register_applicant(*, name: str, email: str, password: str, organization_name: str,
                       organization_kind: str = "cbo") -> User | None:
    """A CBO (or network) staff member signs up and becomes an applicant of a new organization,
    unverified until they open the link emailed to them. None when the email already has an
    account: the caller answers exactly as for a new one (no one learns which emails exist) and
    the account's owner is told by email instead."""
    if find_user(email) is not None:
        hash_password(password)  # the same work, so the answer takes the same time
        return None
    user = create_user(email, name, password)
    org = Organization(kind=organization_kind, name=organization_name.strip(),
                       slug=unique_slug(Organization, organization_name))
    db.session.add(org)
    db.session.add(Membership(user=user, organization=org, role=R.APPLICANT, title="staff"))
    db.session.flush()
    auditlog.record("account.register", user, actor_id=user.id, after={"organization_id": org.id})
    return user


class Unverified(AccountError):
    """Right password, but the email address was never confirmed."""


def authenticate(email: str, password: str) -> User | None:
    """The same answer, and about the same time, for an unknown email and a wrong password.
    Unverified when the password is right but the address was never confirmed."""
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if user.email_verified_at is None:
        raise Unverified("Confirm your email address first: open the link we emailed you.", "email")
    user.last_login_at = utcnow()
    return user


def _verify_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="verify-email")


def make_verify_token(user: User) -> str:
    return _verify_serializer().dumps({"uid": user.id, "e": user.email})


def user_for_verify_token(token: str) -> User | None:
    try:
        data = _verify_serializer().loads(token, max_age=current_app.config["VERIFY_EMAIL_DAYS"] * 86400)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("e") or not user.active:
        return None
    return user


def verify_email(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        auditlog.record("account.verified", user, actor_id=user.id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # The hash fragment makes the token single-use: it stops matching once the password changes.
    return _serializer().dumps({"uid": user.id, "h": user.password_hash[-16:]})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_SECONDS"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("h"):
        return None
    return user


def set_password(user: User, password: str, *, action: str = "account.password_reset") -> None:
    """A new password; the flush ends the user's sessions (accounts/sessions.py)."""
    user.password_hash = hash_password(password)
    # Whoever can read the reset email has shown they own the address.
    if action == "account.password_reset" and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    auditlog.record(action, user, actor_id=user.id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(inv: Invitation) -> str:
    """A fresh token for `inv` (the previous link stops working), valid INVITATION_DAYS from now."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    inv.token_hash = _token_hash(token)
    inv.sent_at, inv.expires_at = now, now + dt.timedelta(days=current_app.config["INVITATION_DAYS"])
    return token


def create_invitation(organization: Organization, email: str, role: str, invited_by: User, *,
                      team_role: str | None = None) -> tuple[Invitation, str]:
    inv = Invitation(organization=organization, email=normalize_email(email), role=role, team_role=team_role,
                     invited_by_id=invited_by.id)
    token = new_token(inv)
    db.session.add(inv)
    db.session.flush()
    auditlog.record("invitation.create", inv, after={"email": inv.email, "role": role, "team_role": team_role})
    return inv, token


def invite(organization: Organization, email: str, role: str, invited_by: User) -> tuple[Invitation, str]:
    if role not in R.FUNDER_ROLES:
        raise AccountError(_("Choose one of the funder roles."), "role")
    return create_invitation(organization, email, role, invited_by)


def is_open(inv: Invitation, now: dt.datetime | None = None) -> bool:
    """Neither accepted, revoked nor expired."""
    return inv.accepted_at is None and inv.revoked_at is None and inv.expires_at > (now or utcnow())


def invitation_for_token(token: str) -> Invitation | None:
    inv = db.session.execute(
        select(Invitation).where(Invitation.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    return inv if inv is not None and is_open(inv) else None


def accept_invitation(inv: Invitation, *, name: str, password: str, user: User | None = None) -> User:
    if user is None:
        # The invitation link reached this address: that verifies it.
        user = find_user(inv.email) or create_user(inv.email, name, password, verified=True)
    exists = db.session.execute(select(Membership).where(
        Membership.user_id == user.id, Membership.organization_id == inv.organization_id,
        Membership.role == inv.role)).scalar_one_or_none() if user.id else None
    if exists is None:
        db.session.add(Membership(user=user, organization_id=inv.organization_id, role=inv.role,
                                  team_role=inv.team_role))
    elif inv.team_role is not None:
        exists.team_role = inv.team_role
    inv.accepted_at = utcnow()
    db.session.flush()
    auditlog.record("invitation.accept", inv, actor_id=user.id)
    return user
