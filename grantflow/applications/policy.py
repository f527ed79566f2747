"""Who may see and edit an application, who sees its applicant's identity, and the query of the
applications a user may see.

The applying organization's team acts by its team roles: every member reads (`is_applicant_of`),
admins and editors edit and submit drafts (`edits_for`), only admins withdraw (`manages_for`)."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.accounts.policy import (
    admin_org_ids, applicant_org_ids, editor_org_ids, is_funder_staff, staff_funder_ids,
)
from grantflow.applications.models import Application
from grantflow.core.policy import policy
from grantflow.organizations.policy import is_accepted_member
from grantflow.programs.models import Program
from grantflow.reviews.models import ReviewAssignment
from grantflow.reviews.policy import active_assignment, current_assignments


def is_applicant_of(user, application) -> bool:
    """On the applying organization's team, in any role: reads it, changes nothing by this alone."""
    return application.organization_id in applicant_org_ids(user)


def _consent_holds(application) -> bool:
    """On a member's behalf, a network acts only while the member's consent holds."""
    return application.on_behalf_of_id is None or is_accepted_member(application.organization_id,
                                                                      application.on_behalf_of_id)


def edits_for(user, application) -> bool:
    """An admin or editor of the applying organization's team (never a viewer)."""
    return application.organization_id in editor_org_ids(user) and _consent_holds(application)


def manages_for(user, application) -> bool:
    """An admin of the applying organization's team: withdraws it, signs its agreement."""
    return application.organization_id in admin_org_ids(user) and _consent_holds(application)


@policy("application.view")
def _application_view(user, application) -> bool:
    return (
        is_applicant_of(user, application)
        or is_funder_staff(user, application.program.funder_id)
        or active_assignment(user, application) is not None
    )


@policy("application.edit")
def _application_edit(user, application) -> bool:
    """Edit and submit a draft: the team's admins and editors (editors may submit)."""
    return edits_for(user, application)


@policy("application.withdraw")
def _application_withdraw(user, application) -> bool:
    """Withdrawing ends the application for good: the team's admins only."""
    return manages_for(user, application)


@policy("application.activity")
def _application_activity(user, application) -> bool:
    """Who changed what (names of the team): the team and the funder's staff, never reviewers."""
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


@policy("application.copy")
def _application_copy(user, application) -> bool:
    """The PDF of what was sent names the applicant: its own staff and the funder's, not reviewers."""
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


def sees_identity(user, application) -> bool:
    """Blind review hides identity from reviewers only; applicants and funder staff see it all."""
    if not application.program.blind_review:
        return True
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


def scope_applications(user):
    """A select of the applications `user` may see: own organization's, assigned, or funder's."""
    assigned = current_assignments(user.id).with_only_columns(ReviewAssignment.application_id)
    return (
        select(Application)
        .join(Program, Program.id == Application.program_id)
        .where(
            Application.organization_id.in_(applicant_org_ids(user) or {-1})
            | Program.funder_id.in_(staff_funder_ids(user) or {-1})
            | Application.id.in_(assigned)
        )
    )
