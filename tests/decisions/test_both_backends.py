"""Aggregation, deciding and releasing on SQLite and on the real PostgreSQL server."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.core import outbox as ob
from grantflow.core.mail import outbox
from grantflow.decisions.models import Decision
from grantflow.decisions.release import ReleaseError, released_decision, request_release, visible
from grantflow.decisions.services import DecisionError, decide
from grantflow.reviews.aggregate import rubric_scores
from grantflow.reviews.assignment import auto_assign
from tests import factories as F
from tests.reviews.helpers import review, reviewer


def test_review_to_release(any_app):
    funder = F.funder()
    prog = F.program(funder, budget_cents=60_000_00, reviewers_per_application=2)
    officer = F.user(org=funder, role=R.PROGRAM_OFFICER)
    revs = [reviewer(funder) for _ in range(3)]
    apps = [F.application(prog, F.cbo(), amount_requested_cents=40_000_00) for _ in range(3)]
    F.user(org=apps[0].organization, role=R.APPLICANT)
    db.session.commit()
    made = auto_assign(prog)
    assert len(made) == 6
    for a in apps:
        review(a, revs[0], [5, 4, None], assign=False)
    scores = rubric_scores(prog.id, normalized=True)
    assert all(scores[a.id].n_reviews == 1 for a in apps)
    one_review = "One of two reviews in; the second reviewer is away."
    decide(apps[0], "award", amount_cents=40_000_00, rationale="Yes", actor=officer, reason_without_review=one_review)
    db.session.commit()
    with pytest.raises(DecisionError) as err:
        decide(apps[1], "award", amount_cents=40_000_00, rationale="Yes", actor=officer,
               reason_without_review=one_review)
    assert "$20,000.00 is left to award" in err.value.message
    db.session.rollback()
    decide(apps[1], "award", amount_cents=20_000_00, rationale="Partly", actor=officer,
           reason_without_review=one_review)
    db.session.commit()
    assert released_decision(apps[0]) is None
    done = request_release(prog, ["award"], count=2, reason="Testing both backends.", actor=officer)
    db.session.commit()
    decision_mails = lambda: [m for m in outbox() if m["Subject"].startswith("Decision on")]  # noqa: E731
    assert len(outbox()) == 3  # each reviewer was told of their assignments
    assert done.told_count == 2 and released_decision(apps[0]) is None and decision_mails() == []  # in its hold
    ob.sweep(now=done.hold_until + dt.timedelta(seconds=1))
    db.session.expire_all()
    decision = db.session.execute(select(Decision).where(Decision.application_id == apps[0].id)).scalar_one()
    assert visible(decision, now=done.hold_until) and not visible(decision)
    assert len(decision_mails()) == 1  # the one applicant with an account
    with pytest.raises(ReleaseError):
        request_release(prog, ["award"], count=0, reason="Again.", actor=officer)
    actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert actions.count("decision.create") == 2 and "decisions.release" in actions
