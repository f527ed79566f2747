"""Who reads and gives feedback: the applicant's own feedback and surveys, progress reports, the
program's "you said, we did" page, and the community advisors' ranking of priorities."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.accounts.policy import applicant_org_ids, is_funder_staff
from grantflow.applications.models import Application
from grantflow.applications.policy import edits_for, is_applicant_of
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.policy import policy


@policy("program.read_feedback_page")
def _program_feedback_page(user, program) -> bool:
    """"You said, we did": the funder's people and anyone who applied to the program."""
    if user.roles_in(program.funder_id):
        return True
    orgs = applicant_org_ids(user)
    return bool(orgs) and db.session.execute(
        select(Application.id).where(Application.program_id == program.id,
                                     Application.organization_id.in_(orgs)).limit(1)
    ).first() is not None


@policy("application.read_feedback")
def _application_read_feedback(user, application) -> bool:
    """The applicant; funder staff may preview what the applicant sees. Never reviewers."""
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


@policy("application.own_feedback")
def _application_own_feedback(user, application) -> bool:
    """The applicant's own view of its feedback and reports: its whole team, viewers too."""
    return is_applicant_of(user, application)


@policy("application.answer_survey")
def _application_answer_survey(user, application) -> bool:
    """Answering for the organization: its team's admins and editors."""
    return edits_for(user, application)


@policy("report.file")
def _report_file(user, report) -> bool:
    application = db.session.get(Application, report.application_id)
    return application is not None and edits_for(user, application)


@policy("funder.rank_priorities")
def _funder_rank_priorities(user, funder) -> bool:
    return R.COMMUNITY_ADVISOR in user.roles_in(funder.id)
