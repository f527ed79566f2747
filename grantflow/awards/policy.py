"""Who manages what follows an award: the funder's admins and program officers. Grantees see their
own upcoming payments and reports on their dashboard (scoped there by their organizations)."""
from __future__ import annotations

from grantflow.accounts.policy import is_funder_staff
from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.core.policy import policy


def _staff_of_application(user, application_id: int) -> bool:
    application = db.session.get(Application, application_id)
    return application is not None and is_funder_staff(user, application.program.funder_id)


@policy("award.manage")
def _award_manage(user, application) -> bool:
    """The schedule, payments, reports and Schedule H class of one award."""
    return is_funder_staff(user, application.program.funder_id)


@policy("instalment.manage")
def _instalment_manage(user, instalment) -> bool:
    return _staff_of_application(user, instalment.application_id)


@policy("award_report.review")
def _award_report_review(user, report) -> bool:
    return _staff_of_application(user, report.application_id)


@policy("program.payments")
def _program_payments(user, program) -> bool:
    return is_funder_staff(user, program.funder_id)


@policy("funder.payments")
def _funder_payments(user, funder) -> bool:
    """Payments, Schedule H and the CHNA implementation report across the funder's programs."""
    return is_funder_staff(user, funder.id)
