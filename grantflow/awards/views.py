"""Pages after the award: an award's schedule, payments and reports; a program's payments and their
downloads; a funder's overview of what is due, its Schedule H totals and its CHNA implementation
report; and the grantee's and the officer's dashboard sections."""
from __future__ import annotations


from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from forms.awards import (
    AddReportForm, AwardScheduleHForm, CancelForm, ConversationForm, HoldForm, PaymentForm,
    ProgramScheduleHForm, ReviewForm, ScheduleForm, SpreadForm, YearForm, condition_choices, condition_value,
    parse_condition,
)
from grantflow.applications.models import Application
from grantflow.awards import chna_report, exports, overview, reports, scheduleh, schedules
from grantflow.awards import models as M
from grantflow.awards.errors import AwardError
from grantflow.core import roles as R
from grantflow.core import uow
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.i18n import format_when
from grantflow.core.policy import authorize, get_or_404
from grantflow.core.views import dashboard_section
from grantflow.feedback.models import CHECKIN, ProgressReport
from grantflow.organizations.models import Organization
from grantflow.organizations.policy import funder_or_404
from grantflow.programs.models import Program

bp = Blueprint("awards", __name__, cli_group=None)
BLANK_ROWS = 2


def _has_errors(form) -> bool:
    """Any field with an error, rows of a FieldList included (their errors are added after validation)."""
    for f in form:
        if f.type == "FieldList":
            if any(_has_errors(entry.form) for entry in f.entries):
                return True
        elif f.errors:
            return True
    return False


def _status(*forms, page_errors=()) -> int:
    return 422 if page_errors or any(_has_errors(f) for f in forms) else 200


def _field(form, name: str | None):
    """The form field a service problem names (`rows-2-amount` is a row of a FieldList)."""
    if name is None or form is None:
        return None
    if name.startswith("rows-") and hasattr(form, "rows"):
        _, n, attr = name.split("-", 2)
        entries = form.rows.entries
        return getattr(entries[int(n)].form, attr, None) if int(n) < len(entries) else None
    return form._fields.get(name)


def _attach(form, error: AwardError) -> list[str]:
    """Puts each problem next to its field; returns those that belong to the whole page."""
    page = []
    for name, message in error.problems.items():
        f = _field(form, name)
        if f is None:
            page.append(message)
        else:
            f.errors = list(f.errors or []) + [message]
    return page


def _change(form, change, *, done: str, to: str):
    """Runs the service call `change()` in a savepoint: (a redirect to `to`, []) when it stood,
    (None, the problems that belong to the whole page) when it was refused (the others are put next
    to their fields)."""
    try:
        with uow.attempt():
            change()
    except AwardError as exc:
        return None, _attach(form, exc)
    flash(done, "success")
    return redirect(to), []


def _award(app_id: int) -> Application:
    application = get_or_404(Application, app_id, "award.manage")
    if schedules.award_cents(application.id) == 0 and not schedules.instalments_of(application.id):
        abort(404)
    return application


def _funder(slug: str) -> Organization:
    return funder_or_404(slug, "funder.payments")


def _year(default: int) -> tuple[YearForm, int]:
    form = YearForm(request.args)
    if request.args.get("year") is not None and form.validate() and form.year.data is not None:
        return form, form.year.data
    if form.year.data is None and not form.year.errors:
        form.year.data = default
    return form, default


def _history(application: Application) -> list[AuditEvent]:
    from grantflow.accounts.models import User

    report_ids = select(ProgressReport.id).where(ProgressReport.application_id == application.id)
    events = list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action.like("awards.%"), or_(
            (AuditEvent.object_type == "Application") & (AuditEvent.object_id == application.id),
            (AuditEvent.object_type == "ProgressReport") & AuditEvent.object_id.in_(report_ids)))
        .order_by(AuditEvent.id.desc()).limit(100)).scalars())
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({e.actor_id for e in events if e.actor_id} or {-1}))).all())
    for e in events:
        e.actor_name = names.get(e.actor_id, "GrantFlow")
    return events


ACTION_LABELS = {
    "awards.schedule_set": _l("Schedule changed"), "awards.payment_recorded": _l("Payment recorded"),
    "awards.instalment_held": _l("Instalment put on hold"), "awards.hold_released": _l("Hold released"),
    "awards.instalment_cancelled": _l("Instalment cancelled"), "awards.report_required": _l("Report required"),
    "awards.report_reviewed": _l("Report reviewed"), "awards.schedule_h_set": _l("Schedule H line set"),
    "awards.agreement_signed": _l("Agreement signed"),
}


# --- one award -------------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/award", methods=["GET", "POST"])
@login_required
def award(app_id: int):
    application = _award(app_id)
    own, is_own = scheduleh.award_class(application)
    form = AwardScheduleHForm(data={"schedule_h": own if is_own else ""})
    page_errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        done, page_errors = _change(
            form, lambda: scheduleh.set_award_class(application, form.schedule_h.data, actor_id=current_user.id),
            done=_("The award's Schedule H line is saved."), to=url_for("awards.award", app_id=app_id))
        if done:
            return done
    return _award_page(application, schedule_h_form=form, page_errors=page_errors)


def _award_page(application, *, schedule_h_form=None, report_form=None, page_errors=()):
    program = application.program
    return render_template(
        "awards/award.html", application=application, program=program,
        schedule=schedules.schedule_of(application), reports=reports.reports_for([application])[application.id],
        schedule_h_form=schedule_h_form or AwardScheduleHForm(
            data={"schedule_h": (lambda c: c[0] if c[1] else "")(scheduleh.award_class(application))}),
        program_class=scheduleh.LABELS[scheduleh.program_class(program.id)],
        report_form=report_form or AddReportForm(), history=_history(application), action_labels=ACTION_LABELS,
        page_errors=page_errors), _status(*(f for f in (schedule_h_form, report_form) if f), page_errors=page_errors)


@bp.route("/applications/<int:app_id>/award/reports", methods=["POST"])
@login_required
def add_report(app_id: int):
    application = _award(app_id)
    form = AddReportForm()
    page_errors: list[str] = []
    if form.validate_on_submit():
        done, page_errors = _change(
            form, lambda: reports.add_report(application, kind=form.kind.data or None, due_on=form.due_on.data,
                                             actor_id=current_user.id),
            done=_("The report is added: the grantee sees it on their dashboard and is reminded before it is due."),
            to=url_for("awards.award", app_id=app_id))
        if done:
            return done
    return _award_page(application, report_form=form, page_errors=page_errors)


@bp.route("/applications/<int:app_id>/award/schedule", methods=["GET", "POST"])
@login_required
def schedule(app_id: int):
    application = _award(app_id)
    current = schedules.schedule_of(application)
    editable = [line.instalment for line in current.lines if line.instalment.status in schedules.EDITABLE]
    report_lines = [r for r in reports.reports_for([application])[application.id] if r.report.kind != CHECKIN]
    choices = condition_choices(report_lines)
    action = "spread" if request.form.get("action") == "spread" else "save"
    spread_form = SpreadForm(prefix="spread")
    if request.method == "POST" and action == "save":
        form = ScheduleForm()
    else:
        form = ScheduleForm(formdata=None, data={"rows": [
            {"id": str(i.id), "amount": i.amount_cents, "due_on": i.due_on, "condition": condition_value(i)}
            for i in editable] + [{} for _ in range(BLANK_ROWS)]})
    form.set_choices(choices)
    page_errors: list[str] = []
    done, to = None, url_for("awards.award", app_id=app_id)
    if request.method == "POST" and action == "spread":
        if spread_form.validate_on_submit():
            done, page_errors = _change(spread_form, lambda: schedules.spread_schedule(
                application, first_due=spread_form.first_due.data, years=spread_form.years.data,
                per_year=spread_form.per_year.data, first_condition=spread_form.first_condition.data,
                actor_id=current_user.id), done=_("The schedule is spread over the years you chose."), to=to)
    elif request.method == "POST" and form.validate_on_submit():
        rows = []
        for entry in form.rows.entries:
            condition, report_id = parse_condition(entry.form.condition.data or "")
            rows.append(schedules.Row(amount_cents=entry.form.amount.data, due_on=entry.form.due_on.data,
                                      condition=condition, condition_report_id=report_id,
                                      id=form.row_id(entry), remove=bool(entry.form.remove.data)))
        done, page_errors = _change(form, lambda: schedules.set_schedule(application, rows, actor_id=current_user.id),
                                    done=_("The schedule is saved."), to=to)
    if done:
        return done
    fixed = [line for line in current.lines if line.instalment.status not in schedules.EDITABLE]
    return render_template("awards/schedule.html", application=application, program=application.program,
                           schedule=current, fixed=fixed, form=form, spread_form=spread_form,
                           page_errors=page_errors), _status(form, spread_form, page_errors=page_errors)


# --- one instalment --------------------------------------------------------------------------------

@bp.route("/instalments/<int:instalment_id>", methods=["GET", "POST"])
@login_required
def instalment(instalment_id: int):
    item = get_or_404(M.Instalment, instalment_id, "instalment.manage")
    application = db.session.get(Application, item.application_id)
    current = schedules.schedule_of(application)
    line = next(line for line in current.lines if line.instalment.id == item.id)
    pay, hold, cancel = PaymentForm(prefix="pay"), HoldForm(prefix="hold"), CancelForm(prefix="cancel")
    others = [(str(l.instalment.id), _("Instalment %(number)s, due %(date)s", number=l.number,
                                                   date=format_when(l.instalment.due_on, "day")))
              for l in current.lines if l.instalment.id != item.id and l.instalment.status in schedules.EDITABLE]
    cancel.move_to.choices = [("", _("Nowhere: the award was reduced by this amount"))] + others
    action = request.form.get("action", "")
    forms = {"pay": pay, "hold": hold, "cancel": cancel, "release": None}
    page_errors: list[str] = []
    if request.method == "POST":
        form = forms.get(action)
        if action not in forms:
            page_errors = [_("Choose what to do with this instalment.")]
        elif form is None or form.validate_on_submit():
            done, page_errors = _change(form, lambda: _act(action, item, pay, hold, cancel), done={
                "pay": _("The payment is recorded."), "hold": _("The instalment is on hold."),
                "release": _("The hold is released."), "cancel": _("The instalment is cancelled.")}[action],
                to=url_for("awards.award", app_id=application.id))
            if done:
                return done
    elif item.status == M.SCHEDULED:
        pay.paid_on.data = schedules.today_for(application.program)
    return render_template("awards/instalment.html", application=application, program=application.program,
                           line=line, schedule=current, pay=pay, hold=hold, cancel=cancel, can_move=bool(others),
                           page_errors=page_errors), _status(pay, hold, cancel, page_errors=page_errors)


def _act(action: str, item: M.Instalment, pay: PaymentForm, hold: HoldForm, cancel: CancelForm) -> None:
    if action == "pay":
        schedules.record_payment(item, paid_on=pay.paid_on.data, method=pay.method.data or None,
                                 reference=pay.reference.data or "", actor_id=current_user.id)
    elif action == "hold":
        schedules.hold(item, reason=hold.reason.data, actor_id=current_user.id)
    elif action == "release":
        schedules.release_hold(item, actor_id=current_user.id)
    else:
        target = cancel.move_to.data
        schedules.cancel(item, reason=cancel.reason.data, move_to_id=int(target) if target else None,
                         actor_id=current_user.id)


# --- reviewing a report ----------------------------------------------------------------------------

@bp.route("/award-reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def review_report(report_id: int):
    report = get_or_404(ProgressReport, report_id, "award_report.review")
    application = db.session.get(Application, report.application_id)
    if report.kind == CHECKIN:
        abort(404)
    review_form, talk = ReviewForm(prefix="review"), ConversationForm(prefix="talk")
    action = request.form.get("action", "")
    page_errors: list[str] = []
    if request.method == "POST":
        form = {"review": review_form, "conversation": talk}.get(action)
        if form is None:
            page_errors = [_("Choose what to record.")]
        elif form.validate_on_submit():
            if form is review_form:
                change = lambda: reports.review(  # noqa: E731
                    report, accept=review_form.decision.data == "accept", note=review_form.note.data,
                    actor_id=current_user.id, link=url_for("feedback.report", report_id=report.id, _external=True))
            else:
                change = lambda: reports.record_conversation(  # noqa: E731
                    report, held_on=talk.held_on.data, notes=talk.notes.data, actor_id=current_user.id)
            done, page_errors = _change(form, change, done=_("The review is recorded."),
                                        to=url_for("awards.award", app_id=application.id))
            if done:
                return done
    [line] = [r for r in reports.reports_for([application])[application.id] if r.report.id == report.id]
    return render_template("awards/review.html", application=application, program=application.program,
                           line=line, review_form=review_form, talk=talk, page_errors=page_errors), \
        _status(review_form, talk, page_errors=page_errors)


# --- a program's payments --------------------------------------------------------------------------

@bp.route("/programs/<program:program>/payments", methods=["GET", "POST"])
@login_required
def program_payments(program: Program):
    authorize("program.payments", program)
    form = ProgramScheduleHForm(data={"schedule_h": scheduleh.program_class(program.id)})
    page_errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        done, page_errors = _change(
            form, lambda: scheduleh.set_program_class(program, form.schedule_h.data, actor_id=current_user.id),
            done=_("The program's Schedule H line is saved."), to=url_for("awards.program_payments", program=program))
        if done:
            return done
    apps = exports.awarded_applications(program)
    return render_template("awards/program.html", program=program, view=overview.build(apps), form=form,
                           page_errors=page_errors), _status(form, page_errors=page_errors)


@bp.route("/programs/<program:program>/payments.<fmt>")
@login_required
def payments_export(program: Program, fmt: str):
    authorize("program.payments", program)
    if fmt not in exports.FORMATS:
        abort(404)
    mimetype, make = exports.FORMATS[fmt]
    return Response(make(program), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{program.slug}-payments.{fmt}"', "Cache-Control": "no-store"})


# --- across a funder's programs --------------------------------------------------------------------

@bp.route("/funders/<slug>/payments")
@login_required
def overview_page(slug: str):
    funder = _funder(slug)
    return render_template("awards/overview.html", funder=funder, view=overview.for_funder(funder.id))


def _this_year() -> int:
    from grantflow.core.db import utcnow

    return utcnow().year


@bp.route("/funders/<slug>/schedule-h", defaults={"fmt": None})
@bp.route("/funders/<slug>/schedule-h.csv", defaults={"fmt": "csv"})
@login_required
def schedule_h(slug: str, fmt: str | None):
    funder = _funder(slug)
    form, year = _year(_this_year())
    if fmt == "csv" and not form.errors:
        from grantflow.core import csvfile

        return Response(csvfile.to_text(scheduleh.csv_rows(funder.id, year), lineterminator="\n"),
                        mimetype="text/csv; charset=utf-8", headers={
                            "Content-Disposition": f'attachment; filename="{funder.slug}-schedule-h-{year}.csv"'})
    totals = scheduleh.totals(funder.id, year)
    return render_template("awards/schedule_h.html", funder=funder, form=form, year=year, totals=totals,
                           total=sum(t.cents for t in totals)), _status(form)


@bp.route("/funders/<slug>/schedule-h/<category>")
@login_required
def schedule_h_payments(slug: str, category: str):
    funder = _funder(slug)
    if category not in scheduleh.LABELS:
        abort(404)
    form, year = _year(_this_year())
    rows = scheduleh.payments(funder.id, year, category)
    return render_template("awards/schedule_h_payments.html", funder=funder, form=form, year=year,
                           category=category, label=scheduleh.LABELS[category], rows=rows,
                           total=sum(i.amount_cents for i, _, _ in rows)), _status(form)


@bp.route("/funders/<slug>/chna-report", defaults={"fmt": None})
@bp.route("/funders/<slug>/chna-report.pdf", defaults={"fmt": "pdf"})
@login_required
def chna(slug: str, fmt: str | None):
    funder = _funder(slug)
    form, year = _year(_this_year())
    report = chna_report.build(funder, year)
    if fmt == "pdf" and not form.errors:
        return Response(chna_report.to_pdf(report), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{funder.slug}-chna-implementation-{year}.pdf"'})
    return render_template("awards/chna_report.html", funder=funder, form=form, year=year, report=report), \
        _status(form)


# --- dashboards ------------------------------------------------------------------------------------

@dashboard_section("awards/_grantee_dashboard.html", R.APPLICANT, order=12)
def grantee_dashboard(user) -> dict:
    view = overview.for_organizations([o.id for o in user.organizations_with(R.APPLICANT)])
    upcoming = [(a, line) for a in view.applications for line in view.schedules[a.id].lines
                if line.status in (M.SCHEDULED, M.DUE, M.ON_HOLD)]
    report_lines = reports.reports_for(view.applications)
    due_reports = [(a, r) for a in view.applications for r in report_lines[a.id]
                   if not r.accepted and r.report.kind != CHECKIN]
    return {"awards": view.applications, "payments": upcoming, "reports": due_reports}


@dashboard_section("awards/_officer_dashboard.html", *R.FUNDER_STAFF, order=22)
def officer_dashboard(user) -> dict:
    funders = [o for o in user.organizations_with(*R.FUNDER_STAFF) if o.kind == "funder"]
    return {"funders": list({f.id: f for f in funders}.values())}
