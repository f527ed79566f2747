"""Pages of the feedback loops: applicants' feedback and burden survey, officers' aggregate
results and settings, advisors' rankings, grantee check-ins and "you said, we did"."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from forms.feedback import (
    THEME_LABELS, ApplicantNoteForm, BurdenSurveyForm, FeedbackSettingsForm, ScheduleForm, YouSaidWeDidForm,
    progress_report_form, ranking_form,
)
from grantflow.applications.models import Application
from grantflow.core import auditlog
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.policy import authorize, can, get_or_404
from grantflow.core.views import dashboard_section
from grantflow.feedback import applicant as fb_applicant
from grantflow.feedback import burden as fb_burden
from grantflow.feedback import checkins, community
from grantflow.feedback.models import ApplicantNote, ProgressReport, YouSaidWeDid
from grantflow.organizations.models import Organization
from grantflow.organizations.policy import funder_or_404
from grantflow.programs.models import Program

bp = Blueprint("feedback", __name__, cli_group=None)


def _funder(slug: str, action: str) -> Organization:
    return funder_or_404(slug, action)


def _status(form) -> int:
    return 422 if form.errors else 200


def _status_page(application) -> str:
    """The applicant's status page (applications area), or the dashboard until it exists."""
    try:
        return url_for("applications.status", app_id=application.id)
    except BuildError:
        return url_for("core.dashboard")


# --- links other areas include ---------------------------------------------------------------------

def applicant_links(application) -> dict:
    """What templates/feedback/_applicant_links.html offers the applicant on the status page."""
    links = {"feedback": None, "survey": None, "reports": None}
    if not current_user.is_authenticated or not can("application.own_feedback", application):
        return links
    if fb_applicant.is_released(application.program):
        links["feedback"] = url_for("feedback.applicant", app_id=application.id)
        decision = fb_applicant.released_decision(application)
        if decision is not None and decision.outcome == "award" and checkins.schedule_dates(application.program):
            links["reports"] = url_for("feedback.grantee_reports", app_id=application.id)
    if (can("application.answer_survey", application) and fb_burden.can_answer(application)
            and not fb_burden.has_answered(application.id)):
        links["survey"] = url_for("feedback.survey", app_id=application.id)
    return links


@bp.app_context_processor
def _inject():
    return {"feedback_links": applicant_links}


# --- 1. feedback to applicants --------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/feedback")
@login_required
def applicant(app_id: int):
    application = get_or_404(Application, app_id, "application.read_feedback")
    fb = fb_applicant.build_feedback(application)
    return render_template("feedback/applicant.html", application=application, program=application.program,
                           fb=fb, preview=not can("application.own_feedback", application))


@bp.route("/applications/<int:app_id>/feedback/note", methods=["GET", "POST"])
@login_required
def note(app_id: int):
    application = get_or_404(Application, app_id, "application.decide")
    existing = db.session.execute(select(ApplicantNote.text).where(
        ApplicantNote.application_id == app_id)).scalar_one_or_none()
    form = ApplicantNoteForm(data={"text": existing or ""})
    if form.validate_on_submit():
        fb_applicant.save_note(application, form.text.data or "", current_user.id)
        flash(_("Your note to the applicant is saved."), "success")
        return redirect(url_for("feedback.applicant", app_id=app_id))
    return render_template("feedback/note.html", application=application, form=form), _status(form)


@bp.route("/programs/<program:program>/feedback/settings", methods=["GET", "POST"])
@login_required
def settings(program: Program):
    authorize("program.manage", program)
    form = FeedbackSettingsForm(data=fb_applicant.settings_of(program))
    if form.validate_on_submit():
        fb_applicant.save_settings(program, {k: getattr(form, k).data for k in fb_applicant.SETTING_KEYS})
        flash(_("Feedback settings saved."), "success")
        return redirect(url_for("feedback.manage", program=program))
    return render_template("feedback/settings.html", program=program, form=form,
                           keys=fb_applicant.SETTING_KEYS), _status(form)


# --- 2. application burden -------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/burden-survey", methods=["GET", "POST"])
@login_required
def survey(app_id: int):
    application = get_or_404(Application, app_id, "application.answer_survey")
    if not fb_burden.can_answer(application):
        flash(_("The survey opens once the application is submitted.") if application.submitted_at is None
              else _("The survey for this program has closed. Thank you all the same."), "info")
        return redirect(_status_page(application))
    if fb_burden.has_answered(application.id):
        return render_template("feedback/survey_done.html", application=application)
    form = BurdenSurveyForm()
    if form.validate_on_submit():
        try:
            fb_burden.record_answer(
                application, anonymous=form.anonymous.data,
                hours_spent=float(form.hours_spent.data) if form.hours_spent.data is not None else None,
                who_helped=form.who_helped.data or [],
                clarity=form.clarity.data, fairness=form.fairness.data, respect=form.respect.data,
                burden=form.burden.data, what_to_change=form.what_to_change.data or "")
        except fb_burden.SurveyError as exc:
            flash(str(exc), "info")
        else:
            flash(_("Thank you. Your answers help us make applying less of a burden."), "success")
        return redirect(_status_page(application))
    return render_template("feedback/survey.html", application=application, form=form), _status(form)


@bp.route("/programs/<program:program>/feedback/burden")
@login_required
def burden(program: Program):
    authorize("program.manage", program)
    report = fb_burden.burden_report(program)
    return render_template("feedback/burden.html", program=program, report=report,
                           helper_labels=fb_burden.HELPER_LABELS)


@bp.route("/funders/<slug>/feedback/burden")
@login_required
def funder_burden(slug: str):
    funder = _funder(slug, "funder.staff")
    programs = db.session.execute(select(Program).where(Program.funder_id == funder.id)
                                  .order_by(Program.created_at.desc())).scalars().all()
    from grantflow.feedback.suppression import k_threshold

    return render_template("feedback/funder_burden.html", funder=funder, k=k_threshold(),
                           rows=fb_burden.funder_overview(programs))


# --- 3. community voice ----------------------------------------------------------------------------

@bp.route("/funders/<slug>/advise", methods=["GET", "POST"])
@login_required
def advise(slug: str):
    funder = _funder(slug, "funder.rank_priorities")
    needs, places = community.needs_of(funder.id), community.places_of(funder.id)
    form = ranking_form(needs, places, community.my_rankings(funder.id, current_user.id))
    if (needs or places) and form.validate_on_submit():
        def collect(kind, items):
            return {i.id: (int(form[f"{kind}_{i.id}_rank"].data), form[f"{kind}_{i.id}_comment"].data or "")
                    for i in items}

        community.save_rankings(funder.id, current_user.id, needs=collect("need", needs),
                                places=collect("place", places))
        flash(_("Your ranking is saved. Thank you for your guidance."), "success")
        return redirect(url_for("feedback.advise", slug=slug))
    return render_template("feedback/advise.html", funder=funder, form=form, needs=needs, places=places), _status(form)


@bp.route("/programs/<program:program>/feedback/community")
@login_required
def community_ranking(program: Program):
    authorize("program.manage", program)
    needs, places, n_advisors = community.combined_rankings(program.funder_id)
    return render_template("feedback/community.html", program=program, needs=needs, places=places,
                           n_advisors=n_advisors, current=community.current_need_weights(program))


@bp.route("/programs/<program:program>/feedback/community/adopt", methods=["POST"])
@login_required
def adopt_ranking(program: Program):
    authorize("program.manage", program)
    try:
        community.adopt_need_weights(program, actor_id=current_user.id)
    except community.AdoptError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The advisors' ranking is now the CHNA-alignment rule's need weights. Rescore to apply it."),
              "success")
    return redirect(url_for("feedback.community_ranking", program=program))


# --- 4. grantee check-ins --------------------------------------------------------------------------

@bp.route("/programs/<program:program>/feedback/reports", methods=["GET", "POST"])
@login_required
def reports(program: Program):
    authorize("program.manage", program)
    form = ScheduleForm(data={"dates": "\n".join(d.isoformat() for d in checkins.schedule_dates(program))})
    if form.validate_on_submit():
        checkins.set_schedule(program, form.parsed_dates)
        flash(_("Report schedule saved."), "success")
        return redirect(url_for("feedback.reports", program=program))
    checkins.ensure_reports(program)
    rows = checkins.program_reports(program)
    return render_template("feedback/reports.html", program=program, form=form, rows=rows,
                           late=[r for r in rows if r.flagged], state_labels=checkins.STATE_LABELS), _status(form)


@bp.route("/applications/<int:app_id>/reports")
@login_required
def grantee_reports(app_id: int):
    application = get_or_404(Application, app_id, "application.own_feedback")
    checkins.ensure_reports(application.program)
    return render_template("feedback/grantee_reports.html", application=application,
                           rows=checkins.reports_of(application), state_labels=checkins.STATE_LABELS)


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(report_id: int):
    rep = get_or_404(ProgressReport, report_id, "report.file")
    application = db.session.get(Application, rep.application_id)
    form = progress_report_form(application.outcomes or [], rep)
    if form.validate_on_submit():
        actuals = {i: form[f"actual_{i}"].data for i in range(len(application.outcomes or []))}
        checkins.file_report(rep, actuals=actuals, how_funder_could_help=form.how_funder_could_help.data or "",
                             user_id=current_user.id)
        flash(_("Your progress report is filed. Thank you."), "success")
        return redirect(url_for("feedback.grantee_reports", app_id=application.id))
    return render_template("feedback/report.html", report=rep, application=application, form=form,
                           n_measures=len(application.outcomes or [])), _status(form)


# --- 5. you said, we did ---------------------------------------------------------------------------

@bp.route("/programs/<program:program>/you-said-we-did")
@login_required
def you_said(program: Program):
    authorize("program.read_feedback_page", program)
    entries = db.session.execute(select(YouSaidWeDid).where(YouSaidWeDid.program_id == program.id)
                                 .order_by(YouSaidWeDid.theme, YouSaidWeDid.created_at)).scalars().all()
    return render_template("feedback/you_said.html", program=program, entries=entries, themes=THEME_LABELS,
                           manage=can("program.manage", program))


@bp.route("/programs/<program:program>/you-said-we-did/new", methods=["GET", "POST"])
@bp.route("/programs/<program:program>/you-said-we-did/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def you_said_edit(program: Program, entry_id: int | None = None):
    authorize("program.manage", program)
    entry = None
    if entry_id is not None:
        entry = db.session.get(YouSaidWeDid, entry_id)
        if entry is None or entry.program_id != program.id:
            abort(404)
    form = YouSaidWeDidForm(obj=entry)
    if form.validate_on_submit():
        before = None
        if entry is None:
            entry = YouSaidWeDid(program_id=program.id, author_id=current_user.id)
            db.session.add(entry)
        else:
            before = {"theme": entry.theme, "we_heard": entry.we_heard, "we_did": entry.we_did}
        form.populate_obj(entry)
        db.session.flush()
        auditlog.record("feedback.you_said_we_did_saved", entry, before=before,
                        after={"theme": entry.theme, "we_heard": entry.we_heard, "we_did": entry.we_did})
        flash(_("Saved."), "success")
        return redirect(url_for("feedback.you_said", program=program))
    return render_template("feedback/you_said_edit.html", program=program, form=form, entry=entry), _status(form)


@bp.route("/programs/<program:program>/you-said-we-did/<int:entry_id>/delete", methods=["POST"])
@login_required
def you_said_delete(program: Program, entry_id: int):
    authorize("program.manage", program)
    entry = db.session.get(YouSaidWeDid, entry_id)
    if entry is None:  # already deleted (a second click, or a colleague was quicker)
        flash(_("That answer was already deleted."), "info")
        return redirect(url_for("feedback.you_said", program=program))
    if entry.program_id != program.id:
        abort(404)
    auditlog.record("feedback.you_said_we_did_deleted", entry,
                    before={"theme": entry.theme, "we_heard": entry.we_heard, "we_did": entry.we_did})
    db.session.delete(entry)
    flash(_("Deleted."), "success")
    return redirect(url_for("feedback.you_said", program=program))


# --- the officer's hub -----------------------------------------------------------------------------

@bp.route("/programs/<program:program>/feedback")
@login_required
def manage(program: Program):
    authorize("program.manage", program)
    applications = db.session.execute(
        select(Application).where(Application.program_id == program.id, Application.submitted_at.is_not(None))
        .options(selectinload(Application.organization), selectinload(Application.on_behalf_of))
        .order_by(Application.id)).scalars().all()
    return render_template("feedback/manage.html", program=program, applications=applications,
                           released=fb_applicant.is_released(program),
                           settings=fb_applicant.settings_of(program), setting_labels=fb_applicant.SETTING_SHORT_LABELS)


# --- the community advisor's section of the dashboard ----------------------------------------------

@dashboard_section("feedback/_dashboard.html", R.COMMUNITY_ADVISOR, order=40)
def advisor_dashboard(user) -> dict:
    return {"funders": user.organizations_with(R.COMMUNITY_ADVISOR)}
