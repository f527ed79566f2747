"""Pages of the decisions area: the ranking board (and its CSV), the decision form, and the release
page (the pre-flight, then a confirmed release now or on the program's release date, and calling
a release off while it is scheduled or in its hold)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.decisions import DecisionForm, ReleaseForm
from grantflow.accounts.models import User
from grantflow.applications.models import STATUS_LABELS, STATUSES, Application
from grantflow.core import memo, uow
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.inputs import query_int
from grantflow.core.policy import authorize, can, get_or_404
from grantflow.decisions import release as rel
from grantflow.decisions import services
from grantflow.decisions.board import COLUMNS, DEFAULT_COLUMNS, GROUPS, SORTS, TABLE_KEPT, load_board, to_csv
from grantflow.decisions.models import OUTCOMES, Release
from grantflow.programs.models import Program
from grantflow.reviews.aggregate import disagreement_threshold, rubric_scores
from grantflow.reviews.models import SUBMITTED, Review

bp = Blueprint("decisions", __name__, cli_group=None)


def _filters() -> dict:
    sort = request.args.get("sort", "total")
    group = request.args.get("group") or None
    return {"status": request.args.get("status") or None, "need": request.args.get("need", type=query_int),
            "place": request.args.get("place", type=query_int),
            "group": group if group in GROUPS else None, "sort": sort if sort in SORTS else "total"}


def _csv_url(program: Program) -> str:
    """The CSV of the board as chosen: the board's own arguments only (the query string is
    anyone's to type; a `program` or `_external` there is not url_for's to take)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k in ("cols", *_filters())]
    return url_for("decisions.board_csv", program=program) + (f"?{urlencode(args)}" if args else "")


def _columns() -> tuple[str, ...]:
    """The columns chosen on the board's form (a hidden empty `cols` marks a submitted choice)."""
    if "cols" not in request.args:
        return DEFAULT_COLUMNS
    return tuple(c for c in request.args.getlist("cols") if c in COLUMNS)


@bp.app_context_processor
def _decision_helpers():
    """For the applicant's status page: the released decision, its history, the reviewers'
    comments for the applicant, and the status as the viewer may know it."""
    return {"released_decision": rel.released_decision, "decision_history": rel.history,
            "applicant_comments": _applicant_comments, "told_status": _told_status,
            "told_statuses": rel.told_statuses}


def _told_status(application) -> tuple[str, list]:
    return rel.told_status(application, can("application.decide", application))


def _applicant_comments(application) -> list[str]:
    return [c for c in db.session.execute(
        select(Review.comment_to_applicant).where(Review.application_id == application.id,
                                                  Review.status == SUBMITTED).order_by(Review.id)
    ).scalars() if c and c.strip()]


# --- the board -------------------------------------------------------------------------------------

@bp.route("/programs/<program:program>/board")
def board(program: Program):
    authorize("program.decide", program)
    filters, shown = _filters(), _columns()
    b = load_board(program, **filters)
    # The rows are most of the page's work: their HTML is kept as long as the board is.
    table = memo.kept(TABLE_KEPT, (program.id, tuple(filters.items()), shown, request.script_root), lambda: Markup(
        render_template("decisions/_board_table.html", program=program, board=b, shown=shown)))
    return render_template("decisions/board.html", program=program, board=b, table=table,
                           filters=filters, groups=GROUPS, sorts=SORTS,
                           statuses=[s for s in STATUSES if s != "draft"], columns=COLUMNS, shown=shown,
                           released_count=rel.released_count(program), threshold=disagreement_threshold(),
                           csv_url=_csv_url(program))


@bp.route("/programs/<program:program>/board.csv")
def board_csv(program: Program):
    authorize("program.decide", program)
    b = load_board(program, **_filters())
    return Response(to_csv(b), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{program.slug}-board.csv"'})


# --- one decision ----------------------------------------------------------------------------------

@bp.route("/applications/<int:app_id>/decision", methods=["GET", "POST"])
def decide(app_id: int):
    application = get_or_404(Application, app_id, "application.decide")
    program = application.program
    current = services.decision_for(application.id)
    form = DecisionForm(data={"outcome": current.outcome, "amount": current.amount_cents or None,
                              "rationale": current.rationale} if current and request.method == "GET" else None)
    status = 200
    page_errors: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with uow.attempt():
                    services.decide(application, form.outcome.data, amount_cents=form.amount.data,
                                    rationale=form.rationale.data, actor=current_user,
                                    reason_without_review=form.reason_without_review.data,
                                    change_reason=form.change_reason.data)
            except services.DecisionError as exc:
                target = getattr(form, exc.field, None) if exc.field else None
                if target is not None:
                    target.errors = list(target.errors or []) + [exc.message]
                else:
                    page_errors.append(exc.message)
                status = 409 if exc.field is None else 422
            else:
                flash(_("Decision saved for application #%(id)s.", id=application.id), "success")
                return redirect(url_for("decisions.board", program=program))
        else:
            status = 422
    reviews = db.session.execute(
        select(Review).where(Review.application_id == application.id)
        .options(selectinload(Review.scores)).order_by(Review.id)
    ).scalars().all()
    reviewer_names = {u.id: u.name for u in db.session.execute(
        select(User).where(User.id.in_([r.reviewer_id for r in reviews if r.reviewer_id] or [-1]))).scalars()}
    current = services.decision_for(application.id)
    history = []
    if current is not None:
        history = db.session.execute(
            select(AuditEvent).where(AuditEvent.object_type == "Decision", AuditEvent.object_id == current.id,
                                     AuditEvent.action.in_(["decision.create", "decision.change"]))
            .order_by(AuditEvent.id)
        ).scalars().all()
    names = {u.id: u.name for u in db.session.execute(
        select(User).where(User.id.in_([e.actor_id for e in history if e.actor_id] or [-1]))).scalars()}
    score = rubric_scores(program.id, normalized=program.normalize_scores).get(application.id)
    return render_template("decisions/decide.html", application=application, program=program, form=form,
                           current=current, reviews=reviews, reviewer_names=reviewer_names, history=history,
                           actor_names=names, score=score, budget=services.budget_state(program),
                           review_warning=services.review_warning(application),
                           decidable=application.status in services.DECIDABLE,
                           status_label=STATUS_LABELS.get(application.status, application.status),
                           told=current is not None and current.released_at is not None,
                           rubric=application.rubric or program.current_rubric, page_errors=page_errors), status


# --- release ---------------------------------------------------------------------------------------

@bp.route("/programs/<program:program>/release", methods=["GET", "POST"])
def release(program: Program):
    """GET: the pre-flight for the kinds chosen (`?outcomes=award`); POST: the confirmed release."""
    authorize("program.decide", program)
    form = ReleaseForm()
    status = 200
    page_errors: list[str] = []
    if request.method == "GET":
        chosen = [o for o in request.args.getlist("outcomes") if o in OUTCOMES] or list(OUTCOMES)
        form.outcomes.data = chosen
    else:
        chosen = [o for o in (form.outcomes.data or []) if o in OUTCOMES] or list(OUTCOMES)
        if form.validate_on_submit():
            try:
                with uow.attempt():
                    done = rel.request_release(program, form.outcomes.data, count=form.count.data,
                                               when=form.when.data, reason=form.reason.data, actor=current_user,
                                               site_url=request.url_root)
            except rel.ReleaseError as exc:
                target = getattr(form, exc.field, None) if exc.field else None
                (target.errors.append(exc.message) if target is not None else page_errors.append(exc.message))
                status = 422
            else:
                if done.status == rel.SCHEDULED:
                    flash(_("The release is scheduled for %(when)s. You can cancel it here until then.",
                            when=rel.when_local(done.scheduled_for, program)), "success")
                else:
                    flash(ngettext("Released %(num)d decision. The applicant sees it, and the message leaves, at "
                                   "%(when)s; until then you can undo it here.",
                                   "Released %(num)d decisions. Applicants see them, and the messages leave, at "
                                   "%(when)s; until then you can undo it here.", done.told_count,
                                   when=rel.when_local(done.hold_until, program)), "success")
                return redirect(url_for("decisions.release", program=program))
        else:
            status = 422
    pre = rel.preflight(program, chosen)
    return render_template("decisions/release.html", program=program, form=form, pre=pre,
                           page_errors=page_errors, plural=rel.PLURAL, labels=rel.LABELS), status


@bp.route("/programs/<program:program>/releases/<int:release_id>/call-off", methods=["POST"])
def call_off(program: Program, release_id: int):
    """Cancels a scheduled release, or undoes one in its hold."""
    authorize("program.decide", program)
    done = db.session.get(Release, release_id)
    if done is None or done.program_id != program.id:
        abort(404)
    try:
        with uow.attempt():
            result = rel.call_off(done, current_user)
    except rel.ReleaseError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The scheduled release is cancelled.") if result == rel.CANCELLED else
              _("The release is undone: applicants were not told, and no message left."), "success")
    return redirect(url_for("decisions.release", program=program))
