"""Payment schedules add up to the award, always: edits that would break it are refused at the
field (in cents), whatever sequence of edits, payments, holds and cancellations (Hypothesis); a
schedule the award moved away from is flagged and blocks payments until it is fixed."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from grantflow.awards import models as M
from grantflow.awards import schedules
from grantflow.awards.errors import AwardError
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, separate_session
from grantflow.decisions import services as decisions
from tests.awards.builders import award, pay, schedule

D = dt.date


def _stored(application_id: int) -> list[tuple]:
    """The instalments as a fresh session reads them."""
    with separate_session() as s:
        return [(i.amount_cents, i.due_on, i.status) for i in s.execute(
            select(M.Instalment).where(M.Instalment.application_id == application_id)
            .order_by(M.Instalment.due_on, M.Instalment.id)).scalars()]


def test_a_schedule_that_adds_up_is_saved_and_one_that_does_not_is_refused_at_the_field(any_app, world):
    w = world
    award(w.application, 60_000_00)
    db.session.commit()
    with pytest.raises(AwardError) as refused:
        schedule(w.application, (30_000_00, D(2026, 1, 15)), (29_999_99, D(2026, 7, 15)))
    assert refused.value.problems == {"rows-1-amount": "The instalments would add up to $59,999.99; they must "
                                                       "add up to the award, $60,000.00."}
    db.session.rollback()
    assert _stored(w.application.id) == []
    schedule(w.application, (30_000_00, D(2026, 1, 15)), (30_000_00, D(2026, 7, 15)))
    db.session.commit()
    assert _stored(w.application.id) == [(30_000_00, D(2026, 1, 15), "scheduled"), (30_000_00, D(2026, 7, 15), "scheduled")]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "awards.schedule_set")).scalar_one()
    assert [i["amount_cents"] for i in event.after["instalments"]] == [30_000_00, 30_000_00]


def test_rows_missing_an_amount_or_date_are_refused_with_a_message_each(app, world):
    award(world.application, 10_000_00)
    with pytest.raises(AwardError) as refused:
        schedules.set_schedule(world.application, [schedules.Row(None, D(2026, 1, 1)), schedules.Row(10_000_00, None),
                                                   schedules.Row(None, None)])
    assert set(refused.value.problems) == {"rows-0-amount", "rows-1-due_on"}


def test_paid_instalments_cannot_change_and_the_rest_is_spread_over_years(any_app, world):
    w = world
    award(w.application, 100_000_00)
    first, _ = schedule(w.application, (20_000_00, D(2026, 1, 15)), (80_000_00, D(2026, 7, 15)))
    pay(first)
    with pytest.raises(AwardError) as refused:
        schedules.set_schedule(w.application, [schedules.Row(10_000_00, D(2026, 1, 15), id=first.id)])
    assert refused.value.problems == {"rows-0-amount": "This instalment is paid and cannot change."}
    # Two years of two instalments a year for the $80,000 left; the paid one stays.
    schedules.spread_schedule(w.application, first_due=D(2026, 8, 31), years=2, per_year=2)
    db.session.commit()
    assert _stored(w.application.id) == [
        (20_000_00, D(2026, 1, 15), "paid"), (20_000_00, D(2026, 8, 31), "scheduled"),
        (20_000_00, D(2027, 2, 28), "scheduled"), (20_000_00, D(2027, 8, 31), "scheduled"),
        (20_000_00, D(2028, 2, 29), "scheduled")]


def test_spread_puts_the_odd_cents_on_the_first_instalment():
    rows = schedules.spread(100_000_01, D(2026, 1, 31), years=3, per_year=1)
    assert [r.amount_cents for r in rows] == [33_333_35, 33_333_33, 33_333_33]
    assert [r.due_on for r in rows] == [D(2026, 1, 31), D(2027, 1, 31), D(2028, 1, 31)]
    assert sum(r.amount_cents for r in schedules.spread(7, D(2026, 1, 31), years=1, per_year=4)) == 7


def test_cancelling_moves_the_amount_or_is_refused(any_app, world):
    w = world
    award(w.application, 30_000_00)
    a, b, c = schedule(w.application, (10_000_00, D(2026, 1, 1)), (10_000_00, D(2026, 6, 1)), (10_000_00, D(2027, 1, 1)))
    with pytest.raises(AwardError) as refused:
        schedules.cancel(c, reason="The project ended early.")
    assert "move_to" in refused.value.problems and "$20,000.00" in refused.value.problems["move_to"]
    with pytest.raises(AwardError) as no_reason:
        schedules.cancel(c, reason="  ", move_to_id=b.id)
    assert set(no_reason.value.problems) == {"reason"}
    schedules.cancel(c, reason="Merged into the June payment.", move_to_id=b.id)
    db.session.commit()
    assert _stored(w.application.id) == [(10_000_00, D(2026, 1, 1), "scheduled"), (20_000_00, D(2026, 6, 1), "scheduled"),
                                         (10_000_00, D(2027, 1, 1), "cancelled")]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "awards.instalment_cancelled")).scalar_one()
    assert event.after["reason"] == "Merged into the June payment." and event.after["moved_to"] == b.id
    assert [i["amount_cents"] for i in event.before["instalments"]] == [10_000_00] * 3


def test_a_changed_award_flags_the_schedule_and_blocks_payments_until_it_is_fixed(any_app, world):
    """The decisions area may change an award after its schedule exists: the schedule is kept, shown
    as not adding up, and no payment is recorded until an officer makes it add up again."""
    w = world
    officer = w.users["program_officer"]
    decisions.decide(w.application, "award", amount_cents=50_000_00, rationale="Strong plan.", actor=officer,
                     reason_without_review="The panel met in person.")
    first, second = schedule(w.application, (25_000_00, D(2026, 1, 1)), (25_000_00, D(2026, 2, 1)))
    pay(first)
    db.session.commit()
    decisions.decide(w.application, "award", amount_cents=40_000_00, rationale="Budget cut.", actor=officer,
                     reason_without_review="The panel met in person.", change_reason="The budget was cut.")
    db.session.commit()
    state = schedules.schedule_of(w.application)
    assert not state.in_step and state.problem.startswith("The instalments add up to $50,000.00, but the award is $40,000.00")
    with pytest.raises(AwardError) as refused:
        pay(second)
    assert "Fix the schedule before the next payment" in refused.value.message
    # A fix must reach the new amount; the paid instalment stays as it was.
    with pytest.raises(AwardError):
        schedules.set_schedule(w.application, [schedules.Row(20_000_00, D(2026, 2, 1), id=second.id)])
    schedules.set_schedule(w.application, [schedules.Row(15_000_00, D(2026, 2, 1), id=second.id)])
    pay(second, reference="ACH-2")
    db.session.commit()
    assert _stored(w.application.id) == [(25_000_00, D(2026, 1, 1), "paid"), (15_000_00, D(2026, 2, 1), "paid")]


def test_a_withdrawn_award_has_its_unpaid_instalments_cancelled_one_by_one(app, world):
    w = world
    officer = w.users["program_officer"]
    decisions.decide(w.application, "award", amount_cents=30_000_00, rationale="Strong plan.", actor=officer,
                     reason_without_review="The panel met in person.")
    first, second, third = schedule(w.application, (10_000_00, D(2026, 1, 1)), (10_000_00, D(2026, 6, 1)),
                                    (10_000_00, D(2027, 1, 1)))
    pay(first)
    decisions.decide(w.application, "decline", rationale="The organization closed.", actor=officer,
                     change_reason="The organization closed.")
    assert schedules.schedule_of(w.application).problem.endswith("but the award is $0.00 ($30,000.00 too much).")
    schedules.cancel(third, reason="The organization closed.")  # closer to $0, though not there yet
    with pytest.raises(AwardError):
        schedules.cancel(second, reason="Closed.", move_to_id=third.id)  # a cancelled one takes nothing
    schedules.cancel(second, reason="The organization closed.")
    state = schedules.schedule_of(w.application)
    assert (state.scheduled_cents, state.award_cents, state.paid_cents) == (10_000_00, 0, 10_000_00)
    assert state.problem is not None  # paid more than it is now owed: still shown, never hidden


def test_a_payment_is_recorded_with_date_method_reference_and_who(any_app, world):
    w = world
    award(w.application, 5_000_00)
    [only] = schedule(w.application, (5_000_00, D(2026, 1, 1)))
    future = schedules.today_for(w.program) + dt.timedelta(days=1)
    with pytest.raises(AwardError) as refused:
        schedules.record_payment(only, paid_on=future, method="mail pigeon", reference="x" * 121)
    assert set(refused.value.problems) == {"paid_on", "method", "reference"}
    schedules.record_payment(only, paid_on=D(2026, 1, 2), method="check", reference="Check 1041",
                             actor_id=w.users["program_officer"].id)
    db.session.commit()
    with separate_session() as s:
        got = s.get(M.Instalment, only.id)
        assert (got.status, got.paid_on, got.method, got.reference, got.paid_by_id) == (
            "paid", D(2026, 1, 2), "check", "Check 1041", w.users["program_officer"].id)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "awards.payment_recorded")).scalar_one()
    assert event.after["reference"] == "Check 1041" and event.actor_id == w.users["program_officer"].id


def test_hold_and_release_need_a_reason_and_block_payment_meanwhile(app, world):
    award(world.application, 5_000_00)
    [only] = schedule(world.application, (5_000_00, D(2026, 1, 1)))
    with pytest.raises(AwardError):
        schedules.hold(only, reason="")
    schedules.hold(only, reason="Waiting for the fiscal sponsor's letter.")
    assert schedules.schedule_of(world.application).lines[0].status_label == "on hold"
    with pytest.raises(AwardError, match="until its hold is released"):
        pay(only)
    schedules.release_hold(only)
    pay(only)
    assert only.status == "paid"
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action.like("awards.%"))
                                .order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["awards.schedule_set", "awards.instalment_held", "awards.hold_released",
                                          "awards.payment_recorded"]
    assert events[1].after["reason"] == "Waiting for the fiscal sponsor's letter."


# --- the property: whatever happens, the schedule adds up ---------------------------------------------

AWARD = 90_000_00
cents = st.integers(min_value=-5, max_value=AWARD + 10)
days = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 6, 30))
ops = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 6)), cents, days, st.booleans()),
                                        max_size=5)),
    st.tuples(st.just("exact"), st.integers(1, 4)),
    st.tuples(st.just("spread"), st.integers(1, 3), st.sampled_from(schedules.PER_YEAR)),
    st.tuples(st.just("pay"), st.integers(0, 6)),
    st.tuples(st.just("hold"), st.integers(0, 6)),
    st.tuples(st.just("release"), st.integers(0, 6)),
    st.tuples(st.just("cancel"), st.integers(0, 6), st.one_of(st.none(), st.integers(0, 6))),
), max_size=12)


def _apply(application, op) -> None:
    current = schedules.instalments_of(application.id)
    pick = lambda n: current[n] if n is not None and n < len(current) else None  # noqa: E731
    kind = op[0]
    if kind == "edit":
        rows = [schedules.Row(amount, day, id=getattr(pick(n), "id", None), remove=remove)
                for n, amount, day, remove in op[1]]
        schedules.set_schedule(application, rows)
    elif kind == "exact":  # a valid rewrite of the unpaid part: what is left, in n instalments
        left = AWARD - schedules.active_total(i for i in current if i.status not in schedules.EDITABLE)
        rows = [schedules.Row(None, None, id=i.id, remove=True) for i in current if i.status in schedules.EDITABLE]
        rows += schedules.spread(max(left, 0), D(2026, 1, 1), years=1, per_year=op[1]) if left >= op[1] else []
        schedules.set_schedule(application, rows)
    elif kind == "spread":
        schedules.spread_schedule(application, first_due=D(2026, 1, 1), years=op[1], per_year=op[2])
    elif pick(op[1]) is None:
        return
    elif kind == "pay":
        schedules.record_payment(pick(op[1]), paid_on=D(2026, 1, 1), method="ach")
    elif kind == "hold":
        schedules.hold(pick(op[1]), reason="A question about the budget.")
    elif kind == "release":
        schedules.release_hold(pick(op[1]))
    else:
        schedules.cancel(pick(op[1]), reason="Replaced.", move_to_id=getattr(pick(op[2]), "id", None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=ops)
def test_whatever_is_done_the_schedule_adds_up_to_the_award(app, world, operations):
    application = world.application
    if schedules.award_cents(application.id) == 0:
        award(application, AWARD)
    db.session.execute(M.Instalment.__table__.delete())
    schedules.set_schedule(application, [schedules.Row(AWARD, D(2025, 6, 1))])
    db.session.commit()
    for op in operations:
        before = _stored(application.id)
        try:
            _apply(application, op)
        except AwardError:
            db.session.rollback()
            assert _stored(application.id) == before  # a refusal keeps nothing
        else:
            db.session.commit()
        stored = [i for i in db.session.execute(select(M.Instalment).where(
            M.Instalment.application_id == application.id)).scalars()]
        assert schedules.active_total(stored) == AWARD
        assert all(i.amount_cents > 0 for i in stored)
