"""Pages of the decisions area: the ranking board (and its CSV), the decision form, and the release
of decisions to applicants (a "Release now" button here; `grantflow release-decisions`, in
commands.py, for a release date set in advance — run it from cron; both send each applicant one email)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.decisions import DecisionForm
from grantflow.applications.models import Application
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.inputs import query_int
from grantflow.core.policy import authorize, get_or_404
from grantflow.decisions import services
from grantflow.decisions.board import GROUPS, SORTS, load_board, to_csv
from grantflow.programs.models import Program
from grantflow.reviews.aggregate import disagreement_threshold, rubric_scores
from grantflow.reviews.models import Review

bp = Blueprint("decisions", __name__, cli_group=None)


def _filters() -> dict:
    sort = request.args.get("sort", "total")
    group = request.args.get("group") or None
    return {"status": request.args.get("status") or None, "need": request.args.get("need", type=query_int),
            "place": request.args.get("place", type=query_int),
            "group": group if group in GROUPS else None, "sort": sort if sort in SORTS else "total"}


@bp.app_context_processor
def _decision_helpers():
    """`released_decision(application)` for the applicant's status page partial."""
    return {"released_decision": services.released_decision, "applicant_comments": _applicant_comments}


def _applicant_comments(application) -> list[str]:
    from grantflow.reviews.models import SUBMITTED

    return [c for c in db.session.execute(
        select(Review.comment_to_applicant).where(Review.application_id == application.id,
                                                  Review.status == SUBMITTED).order_by(Review.id)
    ).scalars() if c and c.strip()]


@bp.route("/programs/<program:program>/board")
def board(program: Program):
    authorize("program.decide", program)
    filters = _filters()
    b = load_board(program, **filters)
    from grantflow.applications.models import STATUSES

    return render_template("decisions/board.html", program=program, board=b, filters=filters, groups=GROUPS,
                           sorts=SORTS, statuses=[s for s in STATUSES if s != "draft"],
                           released=services.is_released(program), threshold=disagreement_threshold())


@bp.route("/programs/<program:program>/board.csv")
def board_csv(program: Program):
    authorize("program.decide", program)
    b = load_board(program, **_filters())
    return Response(to_csv(b), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{program.slug}-board.csv"'})


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
                services.decide(application, form.outcome.data, amount_cents=form.amount.data,
                                rationale=form.rationale.data, actor=current_user)
            except services.DecisionError as exc:
                target = getattr(form, exc.field, None) if exc.field else None
                if target is not None:
                    target.errors = list(target.errors or []) + [exc.message]
                else:
                    page_errors.append(exc.message)
                status = 409 if exc.field is None else 422
            else:
                flash(f"Decision saved for application #{application.id}.", "success")
                return redirect(url_for("decisions.board", program=program))
        else:
            status = 422
    reviews = db.session.execute(
        select(Review).where(Review.application_id == application.id)
        .options(selectinload(Review.scores)).order_by(Review.id)
    ).scalars().all()
    from grantflow.accounts.models import User

    reviewer_names = {u.id: u.name for u in db.session.execute(
        select(User).where(User.id.in_([r.reviewer_id for r in reviews if r.reviewer_id] or [-1]))).scalars()}
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
                           rubric=application.rubric or program.current_rubric, page_errors=page_errors), status


@bp.route("/programs/<program:program>/release-decisions", methods=["POST"])
def release(program: Program):
    authorize("program.decide", program)
    sent = services.release_now(program, actor=current_user)
    flash(f"Decisions are released to applicants. {sent} email{'s' if sent != 1 else ''} on "
          f"{'their' if sent != 1 else 'its'} way.", "success")
    return redirect(url_for("decisions.board", program=program))
