"""Awards after the decision: each award's payment schedule (amounts in cents, due and paid dates,
status) and its reports, and recording a payment, through the awards area's own services and rules.

Who sees what follows the pages: the funder's admins and program officers see and pay every
award of their funder's programs (as on the award and instalment pages); a grantee sees what its
dashboard shows of its own organization's awards, once released — the payments still to come and
the reports still due, without the staff's notes (how and with which reference it was paid, why
it is held) — and changes nothing. Anyone else gets a 404.

Recording a payment is `grantflow.awards.schedules.record_payment`, the officer's page's call: the
same checks (the instalment payable, the schedule adding up to the award, its condition met, the
date not in the future), and its `payment.made` event, delivered once the request commits.
"""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from grantflow.accounts.policy import applicant_org_ids, is_funder_staff, staff_funder_ids
from grantflow.api.applications import of_program
from grantflow.api.pages import page
from grantflow.api.schemas import AwardFilterSchema, AwardPageSchema, AwardSchema, InstalmentSchema, PaymentSchema
from grantflow.api.spec import errors, resource
from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.awards import schedules
from grantflow.awards.errors import AwardError
from grantflow.awards.reports import reports_for
from grantflow.core.db import db, utcnow
from grantflow.core.errors import problem
from grantflow.core.policy import get_or_404
from grantflow.decisions.models import AWARD, Decision
from grantflow.feedback.models import CHECKIN
from grantflow.programs.models import Program

blp = resource("api_awards", "Awards: payment schedules, payments and reports.")

# What the grantee's dashboard lists of a schedule: the payments still to come.
UPCOMING = (M.SCHEDULED, M.DUE, M.ON_HOLD)


def scope_awards(user):
    """A select of the awards `user` may see: every award (or schedule left from one) of the
    funders they are staff of, and their own organizations' released awards."""
    awarded = select(Decision.application_id).where(Decision.outcome == AWARD)
    released = awarded.where(Decision.released_at.is_not(None), Decision.released_at <= utcnow())
    scheduled = select(M.Instalment.application_id)
    return (select(Application).join(Program, Program.id == Application.program_id).where(or_(
        and_(Program.funder_id.in_(staff_funder_ids(user) or {-1}),
             or_(Application.id.in_(awarded), Application.id.in_(scheduled))),
        and_(Application.organization_id.in_(applicant_org_ids(user) or {-1}), Application.id.in_(released))))
        .options(selectinload(Application.program), selectinload(Application.organization)))


def instalment_data(line: schedules.Line, staff: bool) -> dict:
    i = line.instalment
    return {"id": i.id, "number": line.number, "amount_cents": i.amount_cents, "due_on": i.due_on,
            "status": line.status, "condition": i.condition, "condition_text": line.condition_text,
            "condition_met": line.condition_met, "paid_on": i.paid_on,
            "method": i.method if staff else None, "reference": i.reference if staff else None,
            "reason": (i.reason or None) if staff else None}


def awards_data(applications: list[Application]) -> list[dict]:
    """Each award as the user may see it, in a fixed number of queries however many there are."""
    found = schedules.schedules_for(applications)
    reports = reports_for(applications)
    out = []
    for a in applications:
        schedule, staff = found[a.id], is_funder_staff(current_user, a.program.funder_id)
        out.append({
            "application_id": a.id, "program": a.program.slug, "title": a.title or "",
            "organization": {"id": a.organization.id, "name": a.organization.name},
            "award_cents": schedule.award_cents,
            "instalments": [instalment_data(line, staff) for line in schedule.lines
                            if staff or line.status in UPCOMING],
            "reports": [{"id": r.report.id, "kind": r.report.kind, "title": r.title, "due_on": r.report.due_on,
                         "state": r.state, "submitted_at": r.report.submitted_at}
                        for r in reports[a.id] if r.report.kind != CHECKIN and (staff or not r.accepted)],
            "staff": {"scheduled_cents": schedule.scheduled_cents, "paid_cents": schedule.paid_cents,
                      "problem": schedule.problem} if staff else None,
        })
    return out


@blp.route("/awards")
@blp.arguments(AwardFilterSchema, location="query")
@blp.response(200, AwardPageSchema)
@errors(blp, 422)
def list_awards(args):
    """The awards you may see, oldest application first: your funder's, or your organization's once released."""
    rows, next_cursor = page(of_program(scope_awards(current_user), args), Application.id, args)
    return {"items": awards_data(rows), "next_cursor": next_cursor}


@blp.route("/awards/<int:app_id>")
@blp.response(200, AwardSchema)
@errors(blp)
def get_award(app_id: int):
    """One award, by its application's id."""
    award = db.session.execute(scope_awards(current_user).where(Application.id == app_id)).scalar_one_or_none()
    if award is None:
        raise problem(404, "There is no award of this application for you to see.")
    return awards_data([award])[0]


@blp.route("/instalments/<int:instalment_id>/payment", methods=["POST"])
@blp.arguments(PaymentSchema)
@blp.response(200, InstalmentSchema)
@errors(blp, 400, 409, 422)
def record_payment(given, instalment_id: int):
    """Records the instalment as paid, as the officer's instalment page does; `payment.made` is
    sent to the funder's webhooks once it is saved. A payment the schedule's state refuses (paid
    already, on hold, its condition not met, the schedule not adding up) is a 409 saying why;
    a field it refuses, a 422 naming it."""
    instalment = get_or_404(M.Instalment, instalment_id, "instalment.manage")
    try:
        schedules.record_payment(instalment, paid_on=given["paid_on"], method=given["method"],
                                 reference=given["reference"], actor_id=current_user.id)
    except AwardError as exc:
        fields = {k: v for k, v in exc.problems.items() if k is not None}
        if fields:
            raise problem(422, "The payment could not be recorded; nothing was saved.", fields) from None
        raise problem(409, exc.message) from None
    application = db.session.get(Application, instalment.application_id)
    line = next(line for line in schedules.schedule_of(application).lines if line.instalment.id == instalment.id)
    return instalment_data(line, staff=True)
