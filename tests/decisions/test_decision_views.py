"""Deciding: field-level limits, status and audit trail."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.applications.models import StatusChange
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from tests import factories as F


def _post(client, app_id, **data):
    """Posts the decision form; an award gives the reason to award without a complete review (the
    world's applications are not reviewed: that warning has its own tests)."""
    if data.get("outcome") == "award":
        data.setdefault("reason_without_review", "The panel chair read it in full.")
    return client.post(f"/applications/{app_id}/decision", data=data)


def test_award_limits_are_told_at_the_amount_field(world, login):
    po = login(world.users["program_officer"])
    a = world.application  # requested $50,000; program min $10,000, max $100,000, budget $500,000
    cases = [
        ("5,000", "The award must be at least the program's minimum of $10,000.00."),
        ("60000", "The award cannot be more than the $50,000.00 requested."),
        ("lots", "Enter an amount in dollars, like 25,000 or 25000.50."),
        ("", "Enter the amount to award."),
    ]
    for amount, message in cases:
        r = _post(po, a.id, outcome="award", amount=amount, rationale="Strong fit.")
        body = html.unescape(r.get_data(as_text=True))
        assert r.status_code == 422, amount
        assert message in body
        assert 'id="amount-error"' in body and f'value="{amount}"' in body  # tied to the field, kept
        assert "Strong fit." in body
    a.amount_requested_cents = 500_000_00
    db.session.commit()
    r = _post(po, a.id, outcome="award", amount="150,000", rationale="x")
    assert "at most the program's maximum of $100,000.00" in html.unescape(r.get_data(as_text=True))
    r = _post(po, a.id, outcome="decline", rationale="")
    assert r.status_code == 422 and "Give the rationale for this decision." in html.unescape(r.get_data(as_text=True))
    assert db.session.execute(select(Decision)).first() is None


def test_budget_is_a_hard_limit(world, login):
    world.program.budget_cents = 80_000_00
    db.session.commit()
    po = login(world.users["program_officer"])
    assert _post(po, world.application.id, outcome="award", amount="50,000", rationale="Yes").status_code == 302
    r = _post(po, world.other_application.id, outcome="award", amount="40,000", rationale="Yes")
    assert r.status_code == 422
    assert ("This award would exceed the program's budget of $80,000.00: $30,000.00 is left to award."
            in html.unescape(r.get_data(as_text=True)))
    assert _post(po, world.other_application.id, outcome="award", amount="30,000", rationale="Yes").status_code == 302
    # Changing an existing award re-sums without counting the old amount of that same award.
    assert _post(po, world.application.id, outcome="award", amount="50,000", rationale="Still yes").status_code == 302


def test_decision_sets_status_and_every_change_is_audited(world, login):
    po = login(world.users["program_officer"])
    a = world.application
    assert _post(po, a.id, outcome="award", amount="45,000", rationale="Strong community voice.").status_code == 302
    db.session.expire_all()
    assert a.status == "awarded"
    assert _post(po, a.id, outcome="waitlist", rationale="Budget moved to a higher need.").status_code == 302
    db.session.expire_all()
    assert a.status == "waitlisted"
    d = db.session.execute(select(Decision)).scalar_one()
    assert d.outcome == "waitlist" and d.amount_cents == 0
    events = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "Decision")
                                .order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["decision.create", "decision.change"]
    officer = world.users["program_officer"].id
    assert events[0].before is None and events[0].after["amount_cents"] == 45_000_00
    assert events[1].before["outcome"] == "award" and events[1].after["outcome"] == "waitlist"
    assert all(e.actor_id == officer for e in events)
    changes = [(c.from_status, c.to_status) for c in db.session.execute(
        select(StatusChange).where(StatusChange.application_id == a.id).order_by(StatusChange.id)).scalars()]
    assert changes == [("submitted", "awarded"), ("awarded", "waitlisted")]
    body = po.get(f"/applications/{a.id}/decision").get_data(as_text=True)
    assert "Budget moved to a higher need." in body and "award $45,000.00 → waitlist" in body


def test_undecidable_application_is_refused(world, login):
    world.application.status = "withdrawn"
    db.session.commit()
    r = _post(login(world.users["program_officer"]), world.application.id, outcome="decline", rationale="x")
    assert r.status_code == 409 and "An application that is withdrawn cannot be decided." in html.unescape(r.get_data(as_text=True))


def test_foreign_officer_cannot_decide(world, login):
    r = _post(login(world.users["other_officer"]), world.application.id, outcome="decline", rationale="x")
    assert r.status_code == 404
    other = F.program(world.other_funder)
    assert other is not None


def test_an_application_that_cannot_be_decided_offers_no_decision_form(world, login):
    """Found by hand: a draft's decision page offered the form, and saving it answered 409 with
    the rationale typed for nothing. It says why instead; a recused reviewer's review is named."""
    from grantflow.reviews.models import SET_ASIDE
    from tests import factories as F
    from tests.reviews.helpers import review

    draft = F.application(world.program, world.other_cbo, status="draft")
    withdrawn = F.application(world.program, world.other_cbo, status="withdrawn")
    review(withdrawn, world.users["other_reviewer"], [3, 3, 3], status=SET_ASIDE)
    db.session.commit()
    po = login(world.users["program_officer"])
    for application, status in ((draft, "draft"), (withdrawn, "withdrawn")):
        body = po.get(f"/applications/{application.id}/decision").get_data(as_text=True)
        assert 'id="not-decidable"' in body and 'name="rationale"' not in body, status
    assert "set aside: the reviewer was recused" in po.get(f"/applications/{withdrawn.id}/decision").get_data(as_text=True)
    assert 'name="rationale"' in po.get(f"/applications/{world.application.id}/decision").get_data(as_text=True)
