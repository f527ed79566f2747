"""Who may read an issued letter: the applicant (once its decision is released, checked in the
view) and the funder's staff; never a reviewer, whatever they may see of the application."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.applications.policy import is_applicant_of, manages_for
from grantflow.core.policy import policy


@policy("letter.read")
def _letter_read(user, application) -> bool:
    return is_applicant_of(user, application) or is_funder_staff(user, application.program.funder_id)


@policy("agreement.sign")
def _agreement_sign(user, application) -> bool:
    """The awardee's authorized signer: an admin of the applying organization's team (editors and
    viewers read the agreement; signing or declining it binds the organization)."""
    return manages_for(user, application)
