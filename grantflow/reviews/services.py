"""Saving a review (draft or submitted), the review period, and what a reviewer may see of others."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.core import auditlog, events
from grantflow.core.db import db, utcnow
from grantflow.programs.models import Program, Rubric
from grantflow.reviews.models import DRAFT, SUBMITTED, CriterionScore, Review, ReviewAssignment


class ReviewError(Exception):
    pass


def review_open(program: Program) -> bool:
    """Reviews may be written and edited until the program's review period ends."""
    return program.review_ends_at is None or utcnow() < program.review_ends_at


def rubric_for(application, review: Review | None) -> Rubric | None:
    """The rubric version a review is made against: its own once started, else the application's."""
    rubric_id = review.rubric_id if review is not None else application.rubric_id
    if rubric_id is None:
        return application.program.current_rubric
    return db.session.execute(
        select(Rubric).where(Rubric.id == rubric_id).options(selectinload(Rubric.criteria))
    ).scalar_one()


def review_of(assignment: ReviewAssignment) -> Review | None:
    return db.session.execute(
        select(Review).where(Review.assignment_id == assignment.id).options(selectinload(Review.scores))
    ).scalar_one_or_none()


def save_review(assignment: ReviewAssignment, rubric: Rubric, *, scores: dict[int, int | None],
                comment_to_applicant: str, private_comment: str, submit: bool) -> Review:
    application = assignment.application
    if not review_open(application.program):
        raise ReviewError(_("The review period has ended; reviews can no longer be changed."))
    review = review_of(assignment)
    before = None
    if review is None:
        review = Review(assignment=assignment, application_id=application.id, reviewer_id=assignment.reviewer_id,
                        rubric_id=rubric.id, status=DRAFT)
        db.session.add(review)
    else:
        before = {"status": review.status, "scores": {str(s.criterion_id): s.score for s in review.scores}}
    valid = {c.id: c for c in rubric.criteria}
    existing = {s.criterion_id: s for s in review.scores}
    for cid, value in scores.items():
        c = valid.get(cid)
        if c is None:
            continue
        if value is not None and not (c.scale_min <= value <= c.scale_max):
            raise ReviewError(_("A score for “%(criterion)s” must be between %(low)s and %(high)s.",
                                criterion=c.label, low=c.scale_min, high=c.scale_max))
        if cid in existing:
            existing[cid].score = value
        else:
            review.scores.append(CriterionScore(criterion_id=cid, score=value))
    review.comment_to_applicant = comment_to_applicant or ""
    review.private_comment = private_comment or ""
    completed = submit and review.status != SUBMITTED
    if submit:
        if review.status != SUBMITTED:
            review.submitted_at = utcnow()
        review.status = SUBMITTED
    db.session.flush()
    if completed:
        events.emit("review.completed", funder_id=application.program.funder_id,
                    data={"review_id": review.id, "application_id": application.id,
                          "program": application.program.slug})
    after = {"status": review.status, "scores": {str(s.criterion_id): s.score for s in review.scores}}
    action = "review.submit" if submit else "review.save_draft"
    if before != after or submit:
        auditlog.record(action, review, before=before, after=after, actor_id=assignment.reviewer_id)
    return review


def others_visible(program: Program, own: Review | None) -> bool:
    """Others' reviews are hidden until the reviewer submits, and only when the program allows it."""
    return bool(program.reviewers_see_others and own is not None and own.status == SUBMITTED)


def other_reviews(application_id: int, own: Review) -> list[Review]:
    return list(db.session.execute(
        select(Review).where(Review.application_id == application_id, Review.status == SUBMITTED,
                             Review.id != own.id)
        .options(selectinload(Review.scores)).order_by(Review.submitted_at, Review.id)
    ).scalars())
