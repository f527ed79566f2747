"""Test data for the feedback loops, built directly with the real models."""
from __future__ import annotations

import datetime as dt

from grantflow.core.db import db, utcnow
from grantflow.decisions.models import Decision
from grantflow.reviews.models import CriterionScore, Review, ReviewAssignment


def release(program, *, ago: dt.timedelta = dt.timedelta(hours=1)) -> None:
    """Releases the program's decisions made so far (through the real release), `ago` before now."""
    from tests.factories import release as release_decisions

    release_decisions(program, ago=ago)


def decide(application, outcome: str, amount_cents: int = 0) -> Decision:
    d = Decision(application_id=application.id, program_id=application.program_id, outcome=outcome,
                 amount_cents=amount_cents)
    application.status = {"award": "awarded", "decline": "declined", "waitlist": "waitlisted"}[outcome]
    db.session.add(d)
    db.session.flush()
    return d


def review(application, reviewer, scores: list[int | None], *, to_applicant: str = "", private: str = "",
           submitted: bool = True) -> Review:
    """A review by `reviewer` with one score per criterion of the application's rubric."""
    rubric = application.rubric or application.program.current_rubric
    asg = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id)
    db.session.add(asg)
    db.session.flush()
    r = Review(assignment_id=asg.id, application_id=application.id, reviewer_id=reviewer.id, rubric_id=rubric.id,
               status="submitted" if submitted else "draft", comment_to_applicant=to_applicant,
               private_comment=private, submitted_at=utcnow() if submitted else None)
    for criterion, score in zip(rubric.criteria, scores):
        r.scores.append(CriterionScore(criterion_id=criterion.id, score=score))
    db.session.add(r)
    db.session.flush()
    return r


def close_survey(program) -> None:
    """Applications closed long enough ago that the burden survey is closed and results show."""
    program.opens_at = utcnow() - dt.timedelta(days=120)
    program.closes_at = utcnow() - dt.timedelta(days=60)
    db.session.flush()
