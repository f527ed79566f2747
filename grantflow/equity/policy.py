"""Who sees the equity audit."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.core.policy import policy


@policy("program.audit")
def _program_audit(user, program) -> bool:
    """The audit shows group-level outcomes of every applicant: program officers and admins of the
    program's funder only (reviewers and community advisors see none of it)."""
    return is_funder_staff(user, program.funder_id)
