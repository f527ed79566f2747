"""Reviews and scores: a reviewer's own reviews, and an application's score with its rule-by-rule
explanation (in full for the funder's staff; for the applicant once decisions are released, when
the program shares it)."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.api.schemas import ReviewListSchema, ScoreSchema
from grantflow.api.spec import errors, resource
from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.core.errors import problem
from grantflow.core.policy import can, get_or_404
from grantflow.programs.models import Criterion
from grantflow.reviews.models import Review
from grantflow.scoring.standing import standing_of

blp = resource("api_reviews", "Reviews (your own) and scores with their rule-by-rule explanation.")


@blp.route("/reviews")
@blp.response(200, ReviewListSchema)
@errors(blp)
def list_reviews():
    """Your own reviews. They name no applicant: read the application (blind review masks it)."""
    reviews = list(db.session.execute(
        select(Review).where(Review.reviewer_id == current_user.id).order_by(Review.id)
        .options(selectinload(Review.scores))).scalars())
    ids = {s.criterion_id for r in reviews for s in r.scores}
    labels = dict(db.session.execute(select(Criterion.id, Criterion.label).where(Criterion.id.in_(ids))).all()) if ids else {}
    return {"items": [{
        "id": r.id, "application_id": r.application_id, "status": r.status,
        "comment_to_applicant": r.comment_to_applicant or "", "private_comment": r.private_comment or "",
        "submitted_at": r.submitted_at,
        "scores": [{"criterion_id": s.criterion_id, "criterion": labels.get(s.criterion_id, ""), "score": s.score}
                   for s in sorted(r.scores, key=lambda s: s.criterion_id)],
    } for r in reviews]}


@blp.route("/applications/<int:app_id>/score")
@blp.response(200, ScoreSchema)
@errors(blp)
def get_score(app_id: int):
    application = get_or_404(Application, app_id, "application.view")
    if not (can("application.view_score", application) or can("application.view_own_score", application)):
        raise problem(404, "There is no score of this application for you to see.")
    standing = standing_of(application)  # the one standing the board and the breakdown page show
    if standing is None:
        raise problem(404, "This application has no score (a draft, or withdrawn).")
    score = standing.score
    return {"application_id": application.id, "standing": standing.standing, "total": standing.total,
            "merit": score.merit, "priority": score.priority, "complete": score.complete,
            "rules": [{"rule": r.rule_key, "label": r.label, "kind": r.kind, "status": r.status, "weight": r.weight,
                       "points": r.points, "max_points": r.max_points, "contribution": score.contribution(r.rule_key),
                       "explanation": str(r.explanation or "")} for r in score.rules]}
