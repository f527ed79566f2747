"""Who shapes and checks blind review: the applicant their hidden terms and preview, a reviewer of
the funder their program-wide conflict declaration, funder staff the files that need a check."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.applications.policy import edits_for, is_applicant_of
from grantflow.core import roles as R
from grantflow.core.policy import policy


@policy("application.blind_terms")
def _application_blind_terms(user, application) -> bool:
    return bool(application.program.blind_review) and edits_for(user, application)


@policy("application.blind_preview")
def _application_blind_preview(user, application) -> bool:
    return bool(application.program.blind_review) and (
        is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id))


@policy("application.release_attachment")
def _application_release_attachment(user, application) -> bool:
    return is_funder_staff(user, application.program.funder_id)


@policy("program.declare_conflicts")
def _program_declare_conflicts(user, program) -> bool:
    return bool(program.blind_review) and R.REVIEWER in user.roles_in(program.funder_id)
