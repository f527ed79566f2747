"""Reviewers kept in the loop, through the outbox: an email when assigned (with the due date), a
reminder before the review deadline (once per assignment, by the periodic job), the officer's
progress page per reviewer, and applications moving to under review once the application period
has closed (before that the applicant may still withdraw)."""
from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import func, select

from grantflow.applications import services as apps
from grantflow.applications.models import StatusChange
from grantflow.core import outbox as ob
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from grantflow.reviews import progress, reminders
from grantflow.reviews.assignment import assign_by_hand, auto_assign
from grantflow.reviews.models import ReviewAssignment
from tests import factories as F
from tests.reviews.helpers import review


def _messages(event: str) -> list[ob.OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(ob.OutboxMessage).where(ob.OutboxMessage.event == event)
                                   .order_by(ob.OutboxMessage.id)).scalars())


def test_assignment_emails_each_reviewer_once_with_the_due_date(world, login):
    w = world
    w.program.review_ends_at = utcnow() + dt.timedelta(days=30)
    w.program.reviewers_per_application = 2
    db.session.commit()
    r = login(w.users["program_officer"]).post("/programs/health-2026/reviewers/auto")
    assert r.status_code == 302
    made = db.session.execute(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == w.users["other_reviewer"].id)).scalars().all()
    assert {a.application_id for a in made} == {w.application.id, w.other_application.id}
    mails = [m for m in outbox() if m["To"] == "rev2@riverside.org"]
    assert len(mails) == 1  # one email for both applications
    text = mails[0].get_content()
    assert mails[0]["Subject"] == "You have 2 applications to review for Community Health 2026"
    assert f"Application #{w.application.id}" in text and f"Application #{w.other_application.id}" in text
    assert f"http://localhost/reviews/{w.application.id}" in text
    due = w.program.review_ends_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert f"Reviews are due by {due:%B} {due.day}, {due:%Y} at " in text
    assert "Eastside" not in text and "Northside" not in text  # no applicant named (blind review)
    # By hand: the reviewer added is told; nobody else is told again.
    before = len(outbox())
    third = F.user("rev3@riverside.org", "Rio Reviewer", org=w.funder, role="reviewer")
    assign_by_hand(w.application, [third.id], actor_id=w.users["program_officer"].id)
    db.session.commit()
    assert [m["To"] for m in outbox()[before:]] == ["rev3@riverside.org"]


def test_a_reminder_goes_once_per_assignment_before_the_deadline(world, app):
    w = world
    now = utcnow()
    w.program.review_ends_at = now + dt.timedelta(days=10)
    review(w.other_application, w.users["other_reviewer"], [4, 4, 4])  # done: never reminded
    db.session.commit()
    assert reminders.send_reminders(now=now) == 0  # ten days out: not yet (REVIEW_REMINDER_DAYS is 3)
    soon = w.program.review_ends_at - dt.timedelta(days=2)
    assert reminders.send_reminders(now=soon) == 1
    db.session.commit()
    assert reminders.send_reminders(now=soon + dt.timedelta(hours=1)) == 0  # the next hourly run
    db.session.commit()
    [message] = _messages("review.reminder")
    assert message.key == f"review.reminder:{w.assignment.id}" and message.recipient == "rev@riverside.org"
    assert message.status == ob.SENT and f"application #{w.application.id}" in message.subject
    assert "is not submitted yet" in message.body
    # Past the deadline nobody is reminded; a withdrawn application is never.
    assert reminders.send_reminders(now=w.program.review_ends_at + dt.timedelta(hours=1)) == 0
    app.config["REVIEW_REMINDER_DAYS"] = 20
    w.other_application.status = "withdrawn"
    db.session.commit()
    assert reminders.send_reminders(now=now) == 0


def test_the_periodic_job_sends_the_reminders(world, app):
    from grantflow.reviews.tasks import remind

    world.program.review_ends_at = utcnow() + dt.timedelta(days=1)
    db.session.commit()
    remind()
    db.session.remove()
    assert [m.recipient for m in _messages("review.reminder")] == ["rev@riverside.org"]
    remind()
    db.session.remove()
    assert len(_messages("review.reminder")) == 1


def test_the_officer_sees_each_reviewers_progress(world, login):
    w = world
    w.program.review_ends_at = utcnow() - dt.timedelta(hours=1)  # the deadline has passed
    made = assign_by_hand(w.other_application, [w.users["reviewer"].id, w.users["other_reviewer"].id], actor_id=None)
    done = review(w.other_application, w.users["reviewer"], [4, 4, 4], assign=False)
    done.assignment = next(a for a in made if a.reviewer_id == w.users["reviewer"].id)
    db.session.commit()
    rows = {p.name: p for p in progress.reviewer_progress(w.program)}
    rae, ola = rows["Rae Reviewer"], rows["Ola Reviewer"]
    assert (rae.assigned, rae.done, rae.to_do, rae.overdue) == (2, 1, 1, 1)
    assert (ola.assigned, ola.done, ola.overdue) == (1, 0, 1)
    page = html.unescape(login(w.users["program_officer"]).get("/programs/health-2026/reviewers/progress")
                         .get_data(as_text=True))
    assert "Rae Reviewer" in page and "Ola Reviewer" in page and "overdue" in page
    assert login(w.users["other_officer"]).get("/programs/health-2026/reviewers/progress").status_code == 404


def test_progress_page_runs_as_many_queries_for_many_reviewers(world, login):
    from tests.queries import recorded

    client = login(world.users["program_officer"])

    def count():
        db.session.expire_all()
        with recorded() as statements:
            assert client.get("/programs/health-2026/reviewers/progress").status_code == 200
        return len(statements)

    few = count()
    for i in range(8):
        rev = F.user(f"panel{i}@riverside.org", org=world.funder, role="reviewer")
        a = F.application(world.program, F.cbo())
        assign_by_hand(a, [rev.id], actor_id=None)
    db.session.commit()
    assert count() == few


def test_assignment_starts_the_review_only_once_applications_have_closed(world, login):
    w = world
    # Open: assigned, but still submitted, so the applicant may withdraw.
    auto_assign(w.program)
    db.session.commit()
    db.session.expire_all()
    assert w.application.status == "submitted"
    assert apps.withdraw(w.other_application, w.users["other_applicant"]) is True
    db.session.commit()
    # Closed: the periodic job starts the review of what is assigned; withdrawn stays withdrawn.
    w.program.closes_at = utcnow() - dt.timedelta(minutes=5)
    db.session.commit()
    assert progress.start_reviews_after_close() == 1
    db.session.commit()
    db.session.expire_all()
    assert (w.application.status, w.other_application.status) == ("under_review", "withdrawn")
    change = db.session.execute(select(StatusChange).where(StatusChange.application_id == w.application.id,
                                                           StatusChange.to_status == "under_review")).scalar_one()
    assert change.from_status == "submitted"
    # After the close, assigning moves an application at once.
    late = F.application(w.program, w.cbo, title="Late")
    late.status = "eligible"
    assign_by_hand(late, [w.users["other_reviewer"].id], actor_id=w.users["program_officer"].id)
    db.session.commit()
    db.session.expire_all()
    assert late.status == "under_review"
    assert db.session.execute(select(func.count()).select_from(StatusChange)
                              .where(StatusChange.to_status == "under_review")).scalar_one() == 2
