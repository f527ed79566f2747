"""Builders for reviews in tests: assignments, submitted reviews with scores, reviewers."""
from __future__ import annotations

from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.reviews.models import DRAFT, SUBMITTED, CriterionScore, Review, ReviewAssignment
from tests import factories as F


def reviewer(funder, name=None):
    return F.user(name=name, org=funder, role=R.REVIEWER)


def review(application, reviewer_user, scores, *, status=SUBMITTED, rubric=None, label=None, assign=True):
    """scores: {criterion_id: score or None} or a list matched to the rubric's criteria in order."""
    rubric = rubric or application.rubric
    if isinstance(scores, (list, tuple)):
        scores = {c.id: s for c, s in zip(rubric.criteria, scores)}
    assignment = None
    if assign and reviewer_user is not None:
        assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer_user.id)
        db.session.add(assignment)
        db.session.flush()
    r = Review(assignment=assignment, application_id=application.id,
               reviewer_id=reviewer_user.id if reviewer_user is not None else None, reviewer_label=label,
               rubric_id=rubric.id, status=status, submitted_at=utcnow() if status == SUBMITTED else None)
    r.scores = [CriterionScore(criterion_id=cid, score=s) for cid, s in scores.items()]
    db.session.add(r)
    db.session.flush()
    return r


__all__ = ["reviewer", "review", "DRAFT", "SUBMITTED"]
