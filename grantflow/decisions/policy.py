"""Who decides: the funder's admins and program officers."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.core.policy import policy


@policy("application.decide")
def _application_decide(user, application) -> bool:
    return is_funder_staff(user, application.program.funder_id)


@policy("program.decide")
def _program_decide(user, program) -> bool:
    """The ranking board, decisions and their release: the funder's admins and program officers."""
    return is_funder_staff(user, program.funder_id)
