"""Facts about a user that every area's rules build on: the roles their memberships give them."""
from __future__ import annotations

from grantflow.core import roles as R


def funder_roles(user, funder_id: int) -> set[str]:
    return user.roles_in(funder_id)


def is_funder_staff(user, funder_id: int) -> bool:
    return bool(funder_roles(user, funder_id) & set(R.FUNDER_STAFF))


def applicant_org_ids(user) -> set[int]:
    """The CBOs and networks on whose team the user is, in any team role (what they may read)."""
    return {m.organization_id for m in user.memberships if m.role == R.APPLICANT}


def editor_org_ids(user) -> set[int]:
    """Those whose drafts the user may start, edit and submit: as the team's admin or editor."""
    return {m.organization_id for m in user.memberships if m.role == R.APPLICANT and m.team_role in R.TEAM_EDITORS}


def admin_org_ids(user) -> set[int]:
    """Those whose team, profile and standing (withdrawals, agreements, networks) the user manages."""
    return {m.organization_id for m in user.memberships if m.role == R.APPLICANT and m.team_role == R.TEAM_ADMIN}


def staff_funder_ids(user) -> set[int]:
    return {m.organization_id for m in user.memberships if m.role in R.FUNDER_STAFF}
