"""Who may see and edit an organization, and what a funder's own people may do in its name."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.accounts.policy import is_funder_staff, staff_funder_ids
from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.policy import policy
from grantflow.programs.models import Program


@policy("organization.view")
def _org_view(user, org) -> bool:
    return bool(user.roles_in(org.id)) or (
        org.kind != "funder" and bool(staff_funder_ids(user))
        and _org_applied_to_any(org.id, staff_funder_ids(user))
    )


def _org_applied_to_any(org_id: int, funder_ids: set[int]) -> bool:
    return db.session.execute(
        select(Application.id).join(Program).where(
            Application.organization_id == org_id, Program.funder_id.in_(funder_ids)
        ).limit(1)
    ).first() is not None


@policy("organization.edit")
def _org_edit(user, org) -> bool:
    return R.APPLICANT in user.roles_in(org.id) or R.FUNDER_ADMIN in user.roles_in(org.id)


@policy("funder.admin")
def _funder_admin(user, funder) -> bool:
    return R.FUNDER_ADMIN in user.roles_in(funder.id)


@policy("funder.staff")
def _funder_staff(user, funder) -> bool:
    return is_funder_staff(user, funder.id)


@policy("funder.advise")
def _funder_advise(user, funder) -> bool:
    return bool(user.roles_in(funder.id) & {R.COMMUNITY_ADVISOR, R.FUNDER_ADMIN, R.PROGRAM_OFFICER})
