"""Pages of the reviews area: the reviewer's conflict declaration and review form, and the program
officer's reviewer assignment (by hand and automatic) and review progress."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.reviews import CONFLICT, AssignForm, ConflictForm, review_form_class
from grantflow.accounts.models import User
from grantflow.applications.models import Application
from grantflow.applications.policy import sees_identity
from grantflow.blind.views import reviewer_gate
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.policy import authorize, get_or_404
from grantflow.core.views import dashboard_section
from grantflow.programs.models import Program
from grantflow.reviews import assignment as assign
from grantflow.reviews import progress, reminders, services
from grantflow.reviews.blind import reviewer_view
from grantflow.reviews.models import ASSIGNED, SUBMITTED, ConflictOfInterest, ReviewAssignment
from grantflow.reviews.policy import active_assignment, current_assignments

bp = Blueprint("reviews", __name__, cli_group=None)


def attachment_url(application_id: int, attachment_id: int) -> str | None:
    """The applications area's download route (it gives blind-safe file names itself)."""
    from werkzeug.routing import BuildError

    try:
        return url_for("applications.attachment", app_id=application_id, att_id=attachment_id)
    except BuildError:
        return None


# --- the reviewer ----------------------------------------------------------------------------------

@bp.route("/reviews/<int:app_id>", methods=["GET", "POST"])
def review(app_id: int):
    application = get_or_404(Application, app_id, "application.review")
    gate = reviewer_gate(application)
    if gate is not None:
        return gate
    asg = active_assignment(current_user, application)
    program = application.program
    if asg.no_conflict_confirmed_at is None:
        if request.method == "POST":
            return redirect(url_for("reviews.review", app_id=app_id))
        return _declare_page(application, ConflictForm())
    own = services.review_of(asg)
    rubric = services.rubric_for(application, own)
    if rubric is None or not rubric.criteria:
        flash(_("This program has no rubric yet; the program officer has to add one."), "error")
        return redirect(url_for("core.dashboard"))
    form_class = review_form_class(rubric)
    data = {}
    if own is not None:
        data = {f"criterion_{s.criterion_id}": (str(s.score) if s.score is not None else None) for s in own.scores}
        data.update(comment_to_applicant=own.comment_to_applicant, private_comment=own.private_comment)
    form = form_class(data=data) if request.method == "GET" else form_class()
    is_open = services.review_open(program)
    status = 200
    page_errors: list[str] = []
    if request.method == "POST":
        if not is_open:
            page_errors.append(_("The review period has ended; reviews can no longer be changed."))
            status = 409
        elif form.validate_on_submit():
            # A submitted review stays submitted: any change to it is checked as a whole review.
            was_submitted = own is not None and own.status == SUBMITTED
            submitting = bool(form.submit.data) or was_submitted
            if submitting and not form.validate_for_submit(submitted=was_submitted):
                status = 422
            else:
                try:
                    services.save_review(asg, rubric, scores=form.scores(),
                                         comment_to_applicant=form.comment_to_applicant.data,
                                         private_comment=form.private_comment.data, submit=submitting)
                except services.ReviewError as exc:
                    page_errors.append(str(exc))
                    status = 422
                else:
                    flash(_("Your review was updated.") if was_submitted else
                          _("Your review was submitted. You can change it until the review period ends.")
                          if submitting else _("Your draft was saved."), "success")
                    return redirect(url_for("reviews.review", app_id=app_id))
        else:
            status = 422
    others = []
    if services.others_visible(program, own):
        others = services.other_reviews(application.id, own)
    return render_template(
        "reviews/review.html", application=application, program=program, view=_view(application),
        form=form, rubric=rubric, own=own, is_open=is_open, others=others, page_errors=page_errors,
        criteria={c.id: c for c in rubric.criteria},
    ), status


def _view(application: Application):
    blind = not sees_identity(current_user, application)
    view = reviewer_view(application, blind=blind)
    view.attachment_links = [(label, attachment_url(application.id, att_id)) for att_id, label in view.attachments]
    return view


def blind_status(application: Application):
    """The application's status page as a reviewer under blind review sees it: masked, read-only."""
    gate = reviewer_gate(application)
    if gate is not None:
        return gate
    return render_template("reviews/application.html", application=application, view=_view(application))


def _declare_page(application: Application, form: ConflictForm, status: int = 200):
    return render_template("reviews/declare.html", application=application, view=_view(application),
                           form=form), status


@bp.route("/reviews/<int:app_id>/conflict", methods=["POST"])
def declare(app_id: int):
    application = get_or_404(Application, app_id, "application.review")
    asg = active_assignment(current_user, application)
    form = ConflictForm()
    if not form.validate_on_submit():
        return _declare_page(application, form, 422)
    if form.answer.data == CONFLICT:
        try:
            assign.declare_conflict(asg, form.reason.data)
        except assign.AssignmentError as exc:
            getattr(form, exc.field or "reason").errors.append(exc.message)
            return _declare_page(application, form, 422)
        flash(_("Thank you. You are recused from this application, and it will be given to another reviewer."),
              "success")
        return redirect(url_for("core.dashboard"))
    assign.confirm_no_conflict(asg)
    flash(_("Thank you for confirming you have no conflict of interest."), "success")
    return redirect(url_for("reviews.review", app_id=app_id))


# --- the program officer ---------------------------------------------------------------------------

@bp.route("/programs/<program:program>/reviewers")
def assignments(program: Program):
    authorize("program.assign_reviewers", program)
    apps = db.session.execute(
        select(Application).where(Application.program_id == program.id, Application.status.in_(assign.ASSIGNABLE))
        .options(selectinload(Application.organization), selectinload(Application.on_behalf_of))
        .order_by(Application.id)
    ).scalars().all()
    rows = db.session.execute(
        select(ReviewAssignment).join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.program_id == program.id)
        .options(selectinload(ReviewAssignment.reviewer), selectinload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id)
    ).scalars().all()
    by_app: dict[int, list[ReviewAssignment]] = {}
    for r in rows:
        by_app.setdefault(r.application_id, []).append(r)
    panel = assign.panel_ids(program.funder_id)
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(panel or [-1]))).scalars()}
    load = {uid: 0 for uid in panel}
    for r in rows:
        if r.status == ASSIGNED and r.reviewer_id in load:
            load[r.reviewer_id] += 1
    conflicts = db.session.execute(
        select(ConflictOfInterest).join(Application, Application.id == ConflictOfInterest.application_id)
        .where(Application.program_id == program.id).order_by(ConflictOfInterest.id)
    ).scalars().all()
    return render_template("reviews/assignments.html", program=program, apps=apps, by_app=by_app,
                           panel=[users[u] for u in panel], load=load, conflicts=conflicts, users=users)


@bp.route("/programs/<program:program>/reviewers/progress")
def review_progress(program: Program):
    """Per reviewer: assigned, done, drafts begun and overdue reviews."""
    authorize("program.assign_reviewers", program)
    rows = progress.reviewer_progress(program)
    return render_template("reviews/progress.html", program=program, rows=rows,
                           due=reminders.due_words(program), late=sum(r.overdue for r in rows))


@bp.route("/programs/<program:program>/reviewers/auto", methods=["POST"])
def auto_assign(program: Program):
    authorize("program.assign_reviewers", program)
    made = assign.auto_assign(program, actor_id=current_user.id)
    flash(ngettext("%(num)d assignment made.", "%(num)d assignments made.", len(made)), "success")
    flash(ngettext("Each application has up to %(num)d reviewer without a conflict of interest.",
                   "Each application has up to %(num)d reviewers without a conflict of interest.",
                   program.reviewers_per_application), "info")
    return redirect(url_for("reviews.assignments", program=program))


@bp.route("/applications/<int:app_id>/reviewers", methods=["GET", "POST"])
def assign_reviewers(app_id: int):
    application = get_or_404(Application, app_id, "application.assign_reviewers")
    program = application.program
    panel = assign.panel_ids(program.funder_id)
    facts = assign.conflict_facts([(application.id, application.organization_id, application.on_behalf_of_id)],
                                  panel)
    active = assign.active_reviewer_ids(application.id)
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(panel or [-1]))).scalars()}
    blocked = {uid: facts.blocked(application.id, uid) for uid in panel}
    form = AssignForm()
    form.reviewers.choices = [(uid, users[uid].name) for uid in panel if uid not in active and not blocked[uid]]
    status = 200
    if request.method == "POST":
        # Conflicted reviewers are refused by the service with a message at the field.
        form.reviewers.choices += [(uid, users[uid].name) for uid in panel if blocked[uid] and uid not in active]
        if form.validate_on_submit():
            chosen = form.reviewers.data or []
            if not chosen:
                form.reviewers.errors.append(_("Choose at least one reviewer to add."))
                status = 422
            else:
                try:
                    made = assign.assign_by_hand(application, chosen, actor_id=current_user.id)
                except assign.AssignmentError as exc:
                    form.reviewers.errors.append(exc.message)
                    status = 422
                else:
                    flash(ngettext("%(num)d reviewer assigned.", "%(num)d reviewers assigned.", len(made)), "success")
                    return redirect(url_for("reviews.assign_reviewers", app_id=app_id))
        else:
            status = 422
        form.reviewers.choices = [c for c in form.reviewers.choices if not blocked[c[0]]]
    assigned = db.session.execute(
        select(ReviewAssignment).where(ReviewAssignment.application_id == application.id)
        .options(selectinload(ReviewAssignment.reviewer), selectinload(ReviewAssignment.review))
        .order_by(ReviewAssignment.id)
    ).scalars().all()
    return render_template("reviews/assign.html", application=application, program=program, form=form,
                           assigned=assigned, blocked={users[u]: r for u, r in blocked.items() if r}), status


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
def unassign(assignment_id: int):
    asg = db.session.get(ReviewAssignment, assignment_id)
    if asg is None:
        abort(404)
    authorize("application.assign_reviewers", asg.application)
    app_id = asg.application_id
    try:
        removed = assign.unassign(asg, actor_id=current_user.id)
    except assign.AssignmentError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The reviewer was unassigned.") if removed else _("That reviewer was not assigned any more."),
              "success" if removed else "info")
    return redirect(url_for("reviews.assign_reviewers", app_id=app_id))


# --- the reviewer's section of the dashboard -------------------------------------------------------

@dashboard_section("reviews/_dashboard.html", R.REVIEWER, order=30)
def reviewer_dashboard(user) -> dict:
    return {
        "assignments": db.session.execute(
            current_assignments(user.id)
            .options(selectinload(ReviewAssignment.application).selectinload(Application.program),
                     selectinload(ReviewAssignment.review))
        ).scalars().all(),
    }
