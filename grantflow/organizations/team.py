"""A CBO's (or network's) team: the people who work in its name on GrantFlow, each as admin,
editor or viewer (`Membership.team_role` of an applicant membership; what each may do is in the
areas' policy.py files).

Admins invite colleagues by email with a role. An invitation is single use and expires; resending
it makes a new link (the old one stops working) and revoking it ends it. Accepting needs an
account with the invited address (grantflow/accounts/views.py `accept_invitation`). A team always
keeps an admin: the last one can be neither demoted nor removed. Removing someone deletes their
membership, which ends their sessions (grantflow/accounts/sessions.py).
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from grantflow.accounts import services as accounts
from grantflow.accounts.models import Invitation, Membership, User
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_when, in_language
from grantflow.core.mail import send_mail
from grantflow.core.timeutil import to_local
from grantflow.organizations.models import Organization
from grantflow.organizations.services import ProfileError, home_timezone


def _last_admin(m: Membership) -> str:
    return _("%(name)s is the team's only admin. Make someone else an admin first, so that someone can "
             "still manage the team.", name=m.user.name)


def members(org: Organization) -> list[Membership]:
    """The team, admins first, then by name (one query)."""
    order = {r: i for i, r in enumerate(R.TEAM_ROLES)}
    rows = db.session.execute(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id, Membership.role == R.APPLICANT)
        .options(contains_eager(Membership.user)).order_by(User.name, User.email)).scalars().all()
    return sorted(rows, key=lambda m: order.get(m.team_role, len(order)))


def invitations(org: Organization) -> list[Invitation]:
    """Invitations to the team that were neither accepted nor revoked (expired ones too, to resend)."""
    return list(db.session.execute(
        select(Invitation).where(Invitation.organization_id == org.id, Invitation.role == R.APPLICANT,
                                 Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.email)).scalars())


def _check_role(team_role: str, field: str) -> None:
    if team_role not in R.TEAM_ROLES:
        raise ProfileError(field, _("Choose admin, editor or viewer."))


def invite(org: Organization, email: str, team_role: str, invited_by: User) -> Invitation:
    """Invites `email` to the team with `team_role` and emails the link (after the commit)."""
    _check_role(team_role, "role")
    email = accounts.normalize_email(email)
    on_team = db.session.execute(
        select(Membership.id).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id, Membership.role == R.APPLICANT,
               func.lower(User.email) == email)).first()
    if on_team:
        raise ProfileError("email", _("%(email)s is on the team already: change their role in the list above.",
                                     email=email))
    if any(inv.email == email and accounts.is_open(inv) for inv in invitations(org)):
        raise ProfileError("email", _("%(email)s is invited already: resend or revoke that invitation below.",
                                     email=email))
    inv, token = accounts.create_invitation(org, email, R.APPLICANT, invited_by, team_role=team_role)
    _send(inv, token, invited_by)
    return inv


def _invitation(org: Organization, invitation_id: int) -> Invitation:
    inv = db.session.execute(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.organization_id == org.id, Invitation.role == R.APPLICANT)
    ).scalar_one_or_none()
    if inv is None or inv.accepted_at is not None or inv.revoked_at is not None:
        raise ProfileError("invitation", _("That invitation was accepted or revoked already."))
    return inv


def resend(org: Organization, invitation_id: int, sent_by: User) -> Invitation:
    """A new link for an open or expired invitation, valid for INVITATION_DAYS again."""
    inv = _invitation(org, invitation_id)
    token = accounts.new_token(inv)
    auditlog.record("team.invitation_resent", org, after={"email": inv.email, "team_role": inv.team_role})
    _send(inv, token, sent_by)
    return inv


def revoke(org: Organization, invitation_id: int) -> Invitation:
    inv = _invitation(org, invitation_id)
    inv.revoked_at = utcnow()
    auditlog.record("team.invitation_revoked", org, before={"email": inv.email, "team_role": inv.team_role})
    db.session.flush()
    return inv


def _send(inv: Invitation, token: str, sent_by: User) -> None:
    """The invitation's email, once per link (a resent invitation has a new link, so a new key), in
    the organization's language."""
    org = inv.organization
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    expires = to_local(inv.expires_at, home_timezone(org))
    with in_language(org.language):
        subject = _("%(name)s invites you to the team of %(org)s on GrantFlow", name=sent_by.name, org=org.name)
        body = (_("%(name)s invited you to join the team of %(org)s on GrantFlow as %(role)s: %(help)s.",
                  name=sent_by.name, org=org.name, role=str(R.TEAM_LABELS[inv.team_role]).lower(),
                  help=R.TEAM_HELP[inv.team_role]) + "\n\n"
                + _("Accept the invitation here (the link works once, until %(when)s):",
                    when=format_when(expires, "deadline")) + f"\n{link}\n\n"
                + _("If you have a GrantFlow account with this address, log in with it; if not, you create one "
                    "from the link. If you did not expect this, ignore this message.") + "\n")
    send_mail(inv.email, subject, body, key=f"team.invited:{inv.id}:{inv.token_hash[:16]}", event="team.invited")


# --- roles and removal ------------------------------------------------------------------------------

def _lock(org: Organization) -> None:
    """Serializes changes to one team (PostgreSQL locks the row; SQLite writes one at a time), so two
    admins demoting each other at once cannot leave the team with none."""
    db.session.execute(select(Organization.id).where(Organization.id == org.id).with_for_update())


def _member(org: Organization, membership_id: int) -> Membership:
    m = db.session.execute(select(Membership).where(
        Membership.id == membership_id, Membership.organization_id == org.id, Membership.role == R.APPLICANT)
    ).scalar_one_or_none()
    if m is None:
        raise ProfileError("member", _("That person is not on the team any more."))
    return m


def _other_admins(org: Organization, m: Membership) -> int:
    return db.session.execute(
        select(func.count(Membership.id)).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id, Membership.role == R.APPLICANT,
               Membership.team_role == R.TEAM_ADMIN, Membership.id != m.id, User.active)).scalar_one()


def change_role(org: Organization, membership_id: int, team_role: str) -> Membership:
    _check_role(team_role, "team_role")
    _lock(org)
    m = _member(org, membership_id)
    if m.team_role == team_role:
        return m
    if m.team_role == R.TEAM_ADMIN and not _other_admins(org, m):
        raise ProfileError("team_role", _last_admin(m))
    auditlog.record("team.role_changed", org, before={"user_id": m.user_id, "team_role": m.team_role},
                    after={"user_id": m.user_id, "team_role": team_role})
    m.team_role = team_role
    db.session.flush()
    return m


def remove(org: Organization, membership_id: int) -> User:
    """Takes the person off the team; deleting the membership ends their sessions."""
    _lock(org)
    m = _member(org, membership_id)
    if m.team_role == R.TEAM_ADMIN and not _other_admins(org, m):
        raise ProfileError("member", _last_admin(m))
    user = m.user
    auditlog.record("team.member_removed", org, before={"user_id": m.user_id, "team_role": m.team_role})
    db.session.delete(m)
    db.session.flush()
    return user
