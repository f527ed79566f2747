"""A decision changed after it was released reaches the applicant: the officer gives a reason, the
current letter is superseded (kept, marked), one message says what changed, and the applicant's
page shows the decision now and how it changed. The equity audit counts the final decision.
Awarding without a complete review is allowed with a recorded reason."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.core import files
from grantflow.core import outbox as ob
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.decisions.models import Decision, DecisionVersion
from grantflow.decisions.services import decide
from grantflow.letters import services as letters
from grantflow.letters.models import IssuedLetter
from tests import factories as F
from tests.reviews.helpers import review


def _body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _released_decline(world):
    decision = decide(world.other_application, "decline", rationale="Outside this year's focus.",
                      actor=world.users["program_officer"])
    F.release(world.program)
    letter, _ = letters.issue(decision, actor_id=world.users["program_officer"].id)
    db.session.commit()
    return decision, letter


def test_a_released_decision_changes_with_a_reason_and_the_applicant_is_told(app, world, login):
    decision, letter = _released_decline(world)
    po = login(world.users["program_officer"])
    url = f"/applications/{world.other_application.id}/decision"
    page = _body(po.get(url))
    assert "This decision was released to the applicant" in page and 'name="change_reason"' in page
    award = {"outcome": "award", "amount": "40,000", "rationale": "Money freed by a returned grant.",
             "reason_without_review": "Reviewed in the appeal meeting."}
    r = po.post(url, data=award)
    body = _body(r)
    assert r.status_code == 422 and 'id="change_reason-error"' in body and "Say why it changes" in body
    assert "Money freed by a returned grant." in body  # nothing typed is lost
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).outcome == "decline"
    sent_before = len(outbox())

    r = po.post(url, data={**award, "change_reason": "A grant returned by another organization freed $40,000."})
    assert r.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Decision, decision.id)
    assert (changed.outcome, changed.amount_cents) == ("award", 40_000_00)
    # The earlier letter is kept, marked superseded; the decision has no current letter until one is issued.
    old = db.session.get(IssuedLetter, letter.id)
    assert old.superseded_at is not None and files.exists(letters.letter_key(old))
    assert letters.current_letter(decision.id) is None
    assert db.session.execute(select(AuditEvent.after).where(AuditEvent.action == "letter.supersede")).scalar_one()[
        "reason"] == "A grant returned by another organization freed $40,000."
    # One message says what changed, and why.
    [message] = outbox()[sent_before:]
    assert message["To"] == "applicant@northside.org"
    text = message.get_content()
    assert "It was not funded this time; it is now awarded $40,000.00." in text
    assert "A grant returned by another organization freed $40,000." in text
    assert f"http://localhost/applications/{world.other_application.id}" in text
    versions = db.session.execute(select(DecisionVersion.kind, DecisionVersion.outcome).where(
        DecisionVersion.decision_id == decision.id).order_by(DecisionVersion.number)).all()
    assert versions == [("released", "decline"), ("changed", "award")]
    # The applicant's page: the decision now, and its history.
    page = _body(login(world.users["other_applicant"]).get(f"/applications/{world.other_application.id}"))
    assert "Awarded: $40,000.00" in page and "How this decision changed" in page
    history = page[page.index('id="decision-history"'):]
    assert history.index("Not funded") < history.index("Awarded $40,000.00")
    assert "Changed: A grant returned by another organization freed $40,000." in history
    # A new letter for the new outcome supersedes nothing more.
    new, issued = letters.issue(changed)
    assert issued and new.kind == "award"


def test_a_rationale_edit_tells_nobody_and_needs_no_reason(world, login):
    decision, letter = _released_decline(world)
    sent_before = len(outbox())
    r = login(world.users["program_officer"]).post(
        f"/applications/{world.other_application.id}/decision",
        data={"outcome": "decline", "rationale": "Outside this year's focus; strong otherwise."})
    assert r.status_code == 302
    assert len(outbox()) == sent_before
    db.session.expire_all()
    assert db.session.get(IssuedLetter, letter.id).superseded_at is None


def test_a_decision_in_its_release_hold_cannot_change(world, login):
    decide(world.other_application, "decline", rationale="Outside this year's focus.",
           actor=world.users["program_officer"])
    from grantflow.decisions import release as rel

    rel.request_release(world.program, ["decline"], count=1, reason="Early.", actor=world.users["program_officer"])
    db.session.commit()
    r = login(world.users["program_officer"]).post(
        f"/applications/{world.other_application.id}/decision",
        data={"outcome": "waitlist", "rationale": "Waitlist instead.", "change_reason": "More money may come."})
    assert r.status_code == 409 and "This decision is being released" in _body(r)
    assert {m.status for m in db.session.execute(select(ob.OutboxMessage)).scalars()} == {ob.PENDING}


def test_awarding_without_a_complete_review_asks_for_a_reason(world, login):
    po = login(world.users["program_officer"])
    url = f"/applications/{world.application.id}/decision"
    page = _body(po.get(url))
    assert "This application has no complete review (no review in yet (1 assigned))" in page
    r = po.post(url, data={"outcome": "award", "amount": "30,000", "rationale": "Strong fit."})
    body = _body(r)
    assert r.status_code == 422 and 'id="reason_without_review-error"' in body
    db.session.expire_all()
    assert db.session.execute(select(Decision)).first() is None
    # A decline needs no such reason.
    assert po.post(f"/applications/{world.other_application.id}/decision",
                   data={"outcome": "decline", "rationale": "No."}).status_code == 302
    r = po.post(url, data={"outcome": "award", "amount": "30,000", "rationale": "Strong fit.",
                           "reason_without_review": "The reviewer is ill; the panel chair read it in full."})
    assert r.status_code == 302
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decision.create",
                                                        AuditEvent.after["outcome"].as_string() == "award")).scalar_one()
    assert event.after["reason_without_review"] == "The reviewer is ill; the panel chair read it in full."
    assert "Awarded without a complete review" in _body(po.get(url))
    # Once every assigned review is in, no reason is asked.
    review(world.other_application, world.users["other_reviewer"], [4, 4, 4])
    db.session.commit()
    r = po.post(f"/applications/{world.other_application.id}/decision",
                data={"outcome": "award", "amount": "20,000", "rationale": "Reviewed and strong."})
    assert r.status_code == 302


def test_the_equity_audit_counts_the_final_decision(world):
    from grantflow.equity.data import load_audit_data

    decision, _ = _released_decline(world)
    decide(world.other_application, "award", amount_cents=40_000_00, rationale="Freed money.",
           actor=world.users["program_officer"], reason_without_review="Appeal.", change_reason="Freed money.")
    db.session.commit()
    data = load_audit_data(world.program)
    position = [f.application_id for f in data.facts].index(world.other_application.id)
    assert data.awarded[position] and data.award_cents[position] == 40_000_00


def test_a_released_award_cannot_fall_below_what_was_already_paid(world):
    """Found by hand: a released award of which $20,800 was paid was cut to $10,000, and the
    grantee was told at once. An award below what was paid of it is refused at the field, and
    nobody is told anything (taking an award back after a payment is a decline:
    tests/awards/test_schedules.py)."""
    import datetime as dt

    import pytest

    from grantflow.decisions.services import DecisionError
    from tests.awards import builders

    application = world.application
    builders.award(application, 40_000_00)
    first, _second = builders.schedule(application, (20_800_00, dt.date(2026, 3, 1)), (19_200_00, dt.date(2026, 9, 1)))
    builders.pay(first)
    db.session.commit()
    sent = len(outbox())
    officer = world.users["program_officer"]
    with pytest.raises(DecisionError) as err:
        decide(application, "award", amount_cents=10_000_00, rationale="Budget cut.", actor=officer,
               reason_without_review="Reviewed in committee.", change_reason="The budget was cut.")
    assert err.value.field == "amount" and "$20,800.00 of it was already paid" in str(err.value)
    db.session.rollback()
    assert db.session.execute(select(Decision)).scalar_one().amount_cents == 40_000_00
    ob.sweep()
    assert len(outbox()) == sent
    # Down to what was paid, or more, it changes as before.
    decide(application, "award", amount_cents=20_800_00, rationale="Budget cut.", actor=officer,
           reason_without_review="Reviewed in committee.", change_reason="The budget was cut.")
