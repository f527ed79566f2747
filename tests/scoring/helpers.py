"""Builders for scoring tests: organizations with leadership and practice profiles, needs, places,
feedback loops and submitted reviews, through the real models."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grantflow.core.db import db, utcnow
from grantflow.organizations.models import CommunityPractice, FeedbackLoop, LeadershipProfile
from grantflow.programs.models import ProgramRule
from grantflow.reviews.models import SUBMITTED, CriterionScore, Review
from tests import factories as F


def leadership(org, *, ed_race=("black",), board=(10, 6), senior=(4, 1), consent=True):
    lp = LeadershipProfile(organization_id=org.id, consent_given_at=utcnow() if consent else None,
                           ed_race=list(ed_race) if ed_race is not None else None,
                           board_total=board[0] if board else None, board_poc=board[1] if board else None,
                           senior_total=senior[0] if senior else None, senior_poc=senior[1] if senior else None)
    db.session.add(lp)
    db.session.flush()
    return lp


def practice(org, *, board=(10, 6, 7), staff=(5, 3, 2), power=True):
    cp = CommunityPractice(organization_id=org.id, board_total=board[0], board_lived_experience=board[1],
                           board_in_service_area=board[2], staff_total=staff[0], staff_lived_experience=staff[1],
                           staff_in_service_area=staff[2], community_decision_power=power)
    db.session.add(cp)
    db.session.flush()
    return cp


def loop(org, method="resident survey", frequency="monthly", change="Moved hours to evenings"):
    fl = FeedbackLoop(organization_id=org.id, method=method, frequency=frequency, recent_change=change)
    db.session.add(fl)
    db.session.flush()
    return fl


def configure(program, rules: dict[str, tuple[float, dict]]):
    """rules: {key: (weight, params)}; every other rule stays off."""
    for key, (weight, params) in rules.items():
        db.session.add(ProgramRule(program_id=program.id, rule_key=key, enabled=True,
                                   weight=Decimal(str(weight)), params=params))
    db.session.flush()


def review(application, reviewer, scores: list[int]):
    """A submitted review scoring the program's current rubric criteria with `scores` (made on the
    reviewer's assignment to the application when there is one, as the review page does)."""
    from sqlalchemy import select

    from grantflow.reviews.models import ReviewAssignment

    rubric = application.program.current_rubric
    assignment = db.session.execute(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id, ReviewAssignment.reviewer_id == reviewer.id)
    ).scalar_one_or_none()
    rv = Review(application_id=application.id, reviewer_id=reviewer.id, rubric_id=rubric.id, status=SUBMITTED,
                submitted_at=utcnow() - dt.timedelta(minutes=1), assignment=assignment)
    for crit, s in zip(rubric.criteria, scores):
        rv.scores.append(CriterionScore(criterion_id=crit.id, score=s))
    db.session.add(rv)
    db.session.flush()
    return rv


def scoring_world():
    """A funder with three needs and three places, a program, and three applicants of different profiles."""
    from types import SimpleNamespace

    w = SimpleNamespace()
    w.funder = F.funder(slug="riverside-health")
    w.program = F.program(w.funder, slug="scored-2026", budget_cents=100_000_00)
    w.housing = F.need(w.funder, "Housing", 1)
    w.food = F.need(w.funder, "Food access", 2)
    w.care = F.need(w.funder, "Access to care", 3)
    w.high = F.place(w.funder, "36061000100", need_index=0.9, population=6000, is_priority=True)
    w.low = F.place(w.funder, "36061000200", need_index=0.2, population=2000)
    w.orgs = [F.cbo(name=f"Org {i}", annual_budget_cents=b) for i, b in enumerate((200_000_00, 900_000_00, 3_000_000_00))]
    leadership(w.orgs[0], ed_race=("black",), board=(10, 7), senior=(3, 2))
    leadership(w.orgs[1], ed_race=("white",), board=(10, 2), senior=(4, 1))
    # orgs[2] reports nothing.
    practice(w.orgs[0])
    practice(w.orgs[1], board=(8, 1, 1), staff=(10, 1, 0), power=False)
    loop(w.orgs[0])
    loop(w.orgs[1], frequency="yearly", change="")
    w.apps = []
    for i, org in enumerate(w.orgs):
        a = F.application(w.program, org, amount_requested_cents=(40_000_00, 50_000_00, 30_000_00)[i])
        w.apps.append(a)
    w.apps[0].needs = [w.housing]
    w.apps[0].places = [w.high]
    w.apps[1].needs = [w.food, w.care]
    w.apps[1].places = [w.low]
    w.apps[2].needs = [w.care]
    w.apps[2].places = [w.high, w.low]
    w.reviewer = F.user()
    db.session.flush()
    return w
