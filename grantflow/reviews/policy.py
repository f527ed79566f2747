"""Who reviews an application (an active assignment) and who assigns reviewers."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.accounts.policy import is_funder_staff
from grantflow.applications.models import NOT_IN_REVIEW
from grantflow.core.db import db
from grantflow.core.policy import policy
from grantflow.reviews.models import ASSIGNED, ReviewAssignment


def active_assignment(user, application):
    """The user's assignment to review `application`, while it is theirs to review: none once
    they are recused, and none for a draft or a withdrawn application, whatever was assigned."""
    if application.status in NOT_IN_REVIEW:
        return None
    return db.session.execute(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status == ASSIGNED,
        )
    ).scalar_one_or_none()


def current_assignments(user_id: int):
    """A select of the user's assignments still theirs to review (not recused, and of applications
    neither drafts nor withdrawn): what their dashboard lists and what the API lets them read."""
    from grantflow.applications.models import Application

    return (select(ReviewAssignment).join(Application, Application.id == ReviewAssignment.application_id)
            .where(ReviewAssignment.reviewer_id == user_id, ReviewAssignment.status == ASSIGNED,
                   Application.status.not_in(NOT_IN_REVIEW)))


@policy("application.review")
def _application_review(user, application) -> bool:
    return active_assignment(user, application) is not None


@policy("program.assign_reviewers")
def _program_assign_reviewers(user, program) -> bool:
    return is_funder_staff(user, program.funder_id)


@policy("application.assign_reviewers")
def _application_assign_reviewers(user, application) -> bool:
    return is_funder_staff(user, application.program.funder_id)
