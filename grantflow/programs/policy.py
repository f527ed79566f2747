"""Who may create, configure and see a program."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff, staff_funder_ids
from grantflow.core.policy import policy


@policy("program.create", hide=False)
def _program_create(user, _obj) -> bool:
    return bool(staff_funder_ids(user))


@policy("program.manage")
def _program_manage(user, program) -> bool:
    return is_funder_staff(user, program.funder_id)


@policy("program.view_public", hide=True)
def _program_view_public(user, program) -> bool:
    return program.status != "draft" or is_funder_staff(user, program.funder_id)
