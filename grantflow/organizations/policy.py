"""Who may see and edit an organization, what a funder's own people may do in its name, and what
a network may do for its members (only while a member's consent holds)."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.accounts.policy import (
    admin_org_ids, applicant_org_ids, editor_org_ids, is_funder_staff, staff_funder_ids,
)
from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.policy import policy
from grantflow.organizations.models import ACCEPTED, NETWORK, NetworkMembership
from grantflow.programs.models import Program


@policy("organization.view")
def _org_view(user, org) -> bool:
    return bool(user.roles_in(org.id)) or (
        org.kind != "funder" and bool(staff_funder_ids(user))
        and _org_applied_to_any(org.id, staff_funder_ids(user))
    ) or network_sees_member(user, org)


def _org_applied_to_any(org_id: int, funder_ids: set[int]) -> bool:
    return db.session.execute(
        select(Application.id).join(Program).where(
            Application.organization_id == org_id, Program.funder_id.in_(funder_ids)
        ).limit(1)
    ).first() is not None


@policy("organization.edit")
def _org_edit(user, org) -> bool:
    """The profile, demographics, practices and networks: the team's admins (a funder's: its admins)."""
    return org.id in admin_org_ids(user) or R.FUNDER_ADMIN in user.roles_in(org.id)


@policy("organization.manage_team")
def _org_manage_team(user, org) -> bool:
    """Inviting colleagues, changing their roles, removing them: the team's admins."""
    return org.kind != "funder" and org.id in admin_org_ids(user)


@policy("funder.admin")
def _funder_admin(user, funder) -> bool:
    return R.FUNDER_ADMIN in user.roles_in(funder.id)


@policy("funder.staff")
def _funder_staff(user, funder) -> bool:
    return is_funder_staff(user, funder.id)


@policy("funder.advise")
def _funder_advise(user, funder) -> bool:
    return bool(user.roles_in(funder.id) & {R.COMMUNITY_ADVISOR, R.FUNDER_ADMIN, R.PROGRAM_OFFICER})


# --- networks: a network acts for a member only while the member's consent holds --------------------

def is_accepted_member(network_id: int, member_id: int) -> bool:
    return db.session.execute(
        select(NetworkMembership.status).where(NetworkMembership.network_id == network_id,
                                               NetworkMembership.member_id == member_id)
    ).scalar_one_or_none() == ACCEPTED


def network_sees_member(user, org) -> bool:
    """A network's people see a member's profile once the member accepted (an invitation is not enough)."""
    networks = applicant_org_ids(user)
    return bool(networks) and db.session.execute(
        select(NetworkMembership.network_id).where(NetworkMembership.member_id == org.id,
                                                   NetworkMembership.network_id.in_(networks),
                                                   NetworkMembership.status == ACCEPTED).limit(1)
    ).first() is not None


def members_to_act_for(user, network) -> list:
    """The organizations `user` may apply for on behalf of `network`: its accepted members, for
    the network team's admins and editors only."""
    if network.kind != NETWORK or network.id not in editor_org_ids(user):
        return []
    return list(network.members)


def funder_or_404(slug: str, action: str):
    """The funder of a `/funders/<slug>/...` page, authorized for `action` (404 when unknown or not
    the user's to see)."""
    from grantflow.core.policy import authorize
    from grantflow.organizations.models import Organization

    funder = db.first_or_404(select(Organization).where(Organization.slug == slug, Organization.kind == "funder"))
    authorize(action, funder)
    return funder
