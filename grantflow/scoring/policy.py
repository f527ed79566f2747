"""Who configures scoring and who sees a score: funder staff in full, the applicant in plain words."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.applications.policy import is_applicant_of
from grantflow.core.policy import policy
from grantflow.decisions.release import released_decision


@policy("program.configure_scoring")
def _program_configure_scoring(user, program) -> bool:
    """Scoring rules, rescoring, rankings, run comparisons and the what-if sandbox: funder staff."""
    return is_funder_staff(user, program.funder_id)


@policy("application.view_score")
def _application_view_score(user, application) -> bool:
    """The full breakdown with evidence: the funder's admins and program officers."""
    return is_funder_staff(user, application.program.funder_id)


@policy("application.view_own_score")
def _application_view_own_score(user, application) -> bool:
    """Applicants see their plain-language breakdown once their decision is released, if the program shares it."""
    if not is_applicant_of(user, application) or not application.program.share_rule_explanations:
        return False
    return released_decision(application) is not None
