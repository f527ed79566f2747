"""Reports of an award: a condition on a payment unlocks when its report is accepted (or a
conversation stands in for it, or the agreement is signed); changes asked for are mailed and put
the report back for review once filed again; reminders before and after the due date go once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grantflow.awards import models as M
from grantflow.awards import reports, schedules
from grantflow.awards.errors import AwardError
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from grantflow.feedback import checkins
from grantflow.feedback.models import ProgressReport
from tests import factories
from tests.awards.builders import award, file, pay, report, schedule

D = dt.date


@pytest.fixture
def funded(world):
    w = world
    w.application.outcomes = [{"metric": "Households housed", "target": "40"}]
    award(w.application, 40_000_00, released=False)
    factories.release(w.program, ago=utcnow() - dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))  # released Jan 5
    w.interim = report(w.application, "interim", D(2026, 6, 30))
    w.first, w.second = schedule(w.application, (20_000_00, D(2026, 1, 15), M.AGREEMENT_SIGNED, None),
                                 (20_000_00, D(2026, 7, 15), M.REPORT_ACCEPTED, w.interim.id))
    db.session.commit()
    return w


def _statuses(w) -> list[str]:
    db.session.expire_all()
    return [line.status for line in schedules.schedule_of(w.application).lines]


def test_conditions_unlock_payments(any_app, funded):
    w = funded
    officer = w.users["program_officer"]
    assert _statuses(w) == ["scheduled", "scheduled"]  # dates passed, conditions not met
    with pytest.raises(AwardError, match="waits for the agreement to be signed"):
        pay(w.first)
    schedules.agreement_signed(w.application, actor_id=w.users["applicant"].id)
    db.session.commit()
    assert _statuses(w) == ["due", "scheduled"]
    pay(w.first)
    with pytest.raises(AwardError, match="waits for the interim report due June 30, 2026 to be accepted"):
        pay(w.second)
    with pytest.raises(AwardError, match="Nothing has been filed yet"):
        reports.review(w.interim, accept=True, actor_id=officer.id)
    file(w.interim, w.users["applicant"])
    with pytest.raises(AwardError) as no_note:
        reports.review(w.interim, accept=False, note="", actor_id=officer.id)
    assert set(no_note.value.problems) == {"note"}
    reports.review(w.interim, accept=False, note="Please add the households served in May.", actor_id=officer.id)
    db.session.commit()
    assert _statuses(w) == ["paid", "scheduled"]  # changes asked: still locked
    [line] = [r for r in reports.reports_for([w.application])[w.application.id]]
    assert line.state == reports.CHANGES
    file(w.interim, w.users["applicant"], at=utcnow() + dt.timedelta(seconds=1))
    [line] = reports.reports_for([w.application])[w.application.id]
    assert line.state == reports.AWAITING  # filed again: back for review
    reports.review(w.interim, accept=True, actor_id=officer.id)
    db.session.commit()
    assert _statuses(w) == ["paid", "due"]
    pay(w.second, reference="ACH-2")
    db.session.commit()
    assert _statuses(w) == ["paid", "paid"]


def test_a_conversation_stands_in_for_the_written_report(any_app, funded):
    w = funded
    today = checkins.today_for(w.program)
    with pytest.raises(AwardError) as refused:
        reports.record_conversation(w.interim, held_on=today + dt.timedelta(days=2), notes="")
    assert set(refused.value.problems) == {"held_on"}
    with pytest.raises(AwardError) as no_notes:
        reports.record_conversation(w.interim, held_on=today, notes=" ")
    assert set(no_notes.value.problems) == {"notes"}
    reports.record_conversation(w.interim, held_on=today, notes="Visited the site; 28 households housed.",
                                actor_id=w.users["program_officer"].id)
    db.session.commit()
    db.session.expire_all()
    [line] = reports.reports_for([w.application])[w.application.id]
    assert line.state == reports.CONVERSATION and line.review.conversation_on == today
    assert line.report.submitted_at is None  # nothing written was asked of the grantee
    assert _statuses(w)[1] == "due"


def test_asking_for_changes_mails_the_grantee_once(app, funded):
    w = funded
    file(w.interim, w.users["applicant"])
    reports.review(w.interim, accept=False, note="Add May's figures.", actor_id=w.users["program_officer"].id,
                   link="http://localhost/reports/1")
    db.session.commit()
    [mail] = [m for m in outbox() if m["Subject"].startswith("Changes requested")]
    assert mail["To"] == "applicant@eastside.org" and "Add May's figures." in mail.get_content()


def _reminders():
    return [(m["To"], m["Subject"]) for m in outbox() if "report for" in m["Subject"]]


def test_reminders_before_and_after_the_due_date_go_once(any_app, funded):
    w = funded
    due = D(2026, 6, 30)
    at = lambda day: dt.datetime.combine(day, dt.time(20), dt.timezone.utc)  # noqa: E731  (midday in New York)
    assert reports.send_reminders(now=at(due - dt.timedelta(days=15))) == 0
    assert reports.send_reminders(now=at(due - dt.timedelta(days=14))) == 1
    db.session.commit()
    assert reports.send_reminders(now=at(due - dt.timedelta(days=13))) == 0  # same reminder: not again
    db.session.commit()
    assert _reminders() == [("applicant@eastside.org",
                             "Reminder: your interim report for Community Health 2026 is due June 30, 2026")]
    assert reports.send_reminders(now=at(due - dt.timedelta(days=3))) == 1
    db.session.commit()
    # Three weeks late with the +1 reminder never sent (the worker was down): only the latest, +14, goes.
    assert reports.send_reminders(now=at(due + dt.timedelta(days=21))) == 1
    assert reports.send_reminders(now=at(due + dt.timedelta(days=22))) == 0
    db.session.commit()
    subjects = [s for _, s in _reminders()]
    assert len(subjects) == 3 and subjects[-1] == "Overdue: your interim report for Community Health 2026"
    # Filed (or talked through) reports are not reminded; neither are check-ins of the program's schedule.
    file(w.interim, w.users["applicant"])
    db.session.add(ProgressReport(application_id=w.application.id, due_on=due, measures={}))
    db.session.commit()
    assert reports.send_reminders(now=at(due + dt.timedelta(days=40))) == 0


def test_the_periodic_task_sends_each_reminder_once(app, funded):
    from grantflow import tasks
    from grantflow.awards.tasks import REMINDERS_TASK, report_reminders

    assert REMINDERS_TASK in tasks._PERIODIC
    funded.interim.due_on = checkins.today_for(funded.program) + dt.timedelta(days=2)
    db.session.commit()
    assert report_reminders() == 1
    assert report_reminders() == 0
    assert len(_reminders()) == 1


def test_check_in_schedule_changes_leave_award_reports_alone(app, funded):
    """Award reports are not the program's check-ins: saving the check-in schedule keeps them."""
    w = funded
    checkins.set_schedule(w.program, [D(2027, 3, 31)])
    db.session.commit()
    kinds = sorted(db.session.execute(select(ProgressReport.kind).where(
        ProgressReport.application_id == w.application.id)).scalars())
    assert kinds == ["checkin", "interim"]
