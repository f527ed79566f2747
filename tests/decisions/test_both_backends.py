"""Aggregation, deciding, releasing, undoing and changing a released decision, on SQLite and on the
real PostgreSQL server."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grantflow.core import files
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


def test_release_undo_schedule_cancel_and_a_change_after_release(any_app):
    """The release loop's locking and timing on both backends: undone in its hold, scheduled and
    cancelled, scheduled and performed by the periodic check, then a released decision changed
    (its letter superseded, one message), and a reviewer reminded once."""
    from grantflow.decisions import release as rel
    from grantflow.decisions.models import DecisionVersion, Release
    from grantflow.letters import services as letters
    from grantflow.reviews import reminders
    from grantflow.reviews.assignment import assign_by_hand
    from tests.conftest import build_world

    w = build_world()
    officer = w.users["program_officer"]
    now = utcnow()
    w.program.closes_at = now - dt.timedelta(days=1)
    w.program.review_ends_at = now + dt.timedelta(days=2)
    w.program.decisions_release_at = now + dt.timedelta(days=5)
    award = decide(w.application, "award", amount_cents=45_000_00, rationale="Strong.", actor=officer,
                   reason_without_review="The chair read it.")
    decline = decide(w.other_application, "decline", rationale="Outside the focus.", actor=officer)
    db.session.commit()

    def released_messages():
        db.session.expire_all()
        return {m.recipient: m.status for m in db.session.execute(
            select(ob.OutboxMessage).where(ob.OutboxMessage.event == "decision.released")).scalars()}

    held = request_release(w.program, ["award", "decline"], count=2, actor=officer)
    db.session.commit()
    assert set(released_messages().values()) == {ob.PENDING}
    assert rel.call_off(db.session.get(Release, held.id), officer) == rel.UNDONE
    db.session.commit()
    assert set(released_messages().values()) == {ob.CANCELLED}
    assert db.session.execute(select(DecisionVersion)).first() is None
    assert all(d.released_at is None for d in db.session.execute(select(Decision)).scalars())

    scheduled = request_release(w.program, ["award", "decline"], count=2, when=rel.SCHEDULE, actor=officer)
    db.session.commit()
    assert rel.call_off(db.session.get(Release, scheduled.id), officer) == rel.CANCELLED
    db.session.commit()
    assert rel.perform_due(now=w.program.decisions_release_at + dt.timedelta(minutes=1)) == 0

    again = request_release(w.program, ["award", "decline"], count=2, when=rel.SCHEDULE, actor=officer)
    db.session.commit()
    at = w.program.decisions_release_at + dt.timedelta(minutes=1)
    assert rel.perform_due(now=at) == 2
    db.session.commit()
    assert rel.perform_due(now=at) == 0
    db.session.commit()
    ob.sweep(now=db.session.get(Release, again.id).hold_until + dt.timedelta(seconds=1))
    assert sorted(m["To"] for m in outbox() if m["Subject"].startswith("Decision on")) == \
        ["applicant@eastside.org", "applicant@northside.org"]

    db.session.expire_all()
    decline = db.session.get(Decision, decline.id)
    letter, _ = letters.issue(decline, actor_id=officer.id)
    db.session.commit()
    with pytest.raises(DecisionError) as refused:  # the release's hold has not ended yet
        decide(w.other_application, "award", amount_cents=30_000_00, rationale="Freed money.", actor=officer,
               reason_without_review="Appeal.", change_reason="Freed money.")
    assert "being released" in refused.value.message
    db.session.rollback()
    db.session.execute(Decision.__table__.update().values(released_at=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    decide(db.session.get(type(w.other_application), w.other_application.id), "award", amount_cents=30_000_00,
           rationale="Freed money.", actor=officer, reason_without_review="Appeal.",
           change_reason="A returned grant freed $30,000.")
    db.session.commit()
    db.session.expire_all()
    assert letters.current_letter(decline.id) is None
    assert files.exists(letters.letter_key(db.session.get(type(letter), letter.id)))
    changed = [m for m in outbox() if m["Subject"].startswith("The decision on your application")]
    assert [m["To"] for m in changed] == ["applicant@northside.org"]
    assert "A returned grant freed $30,000." in changed[0].get_content()
    assert [v.kind for v in db.session.execute(select(DecisionVersion).where(
        DecisionVersion.decision_id == decline.id).order_by(DecisionVersion.number)).scalars()] == \
        ["released", "changed"]
    assert db.session.get(Decision, award.id).outcome == "award"

    # The reviewer of the first application is reminded once, two days before the deadline.
    assert reminders.send_reminders() == 0  # its application is decided: no longer in review
    third = F.application(w.program, F.cbo(), title="Late")
    assign_by_hand(third, [w.users["other_reviewer"].id], actor_id=officer.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(third), third.id).status == "under_review"
    assert reminders.send_reminders() == 1
    db.session.commit()
    assert reminders.send_reminders() == 0
