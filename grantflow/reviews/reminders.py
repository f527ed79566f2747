"""Reviewers kept in the loop by email, through the outbox: a message when they are assigned (with
the review deadline), and a reminder `REVIEW_REMINDER_DAYS` before the deadline for each review
still due, sent once per assignment (its outbox key), by a periodic queue job (tasks.py).

Messages name applications by number and program only: under blind review even a project title
can tell who applied.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from flask import current_app
from sqlalchemy import select

from grantflow.accounts.models import User
from grantflow.applications import models as A
from grantflow.applications.models import Application
from grantflow.core import outbox as ob
from grantflow.core.db import db, utcnow
from grantflow.core.mail import send_mail
from grantflow.core.timeutil import to_local
from grantflow.core.urls import external_url
from grantflow.programs.models import Program
from grantflow.reviews.models import ASSIGNED, SUBMITTED, Review, ReviewAssignment

# Applications whose reviews are still wanted (a withdrawn or ineligible one is not reviewed).
IN_REVIEW = (A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED)


def due_words(program: Program) -> str:
    if program.review_ends_at is None:
        return "The program has not set a review deadline yet."
    local = to_local(program.review_ends_at, program.timezone)
    return f"Reviews are due by {local:%A, %B %d, %Y at %I:%M %p %Z}."


def _review_link(application_id: int) -> str:
    link = external_url("reviews.review", app_id=application_id)
    return f"  {link}" if link else "  (log in to GrantFlow: it is on your dashboard)"


def notify_assigned(assignments: list[ReviewAssignment]) -> int:
    """One email per reviewer for the assignments just made (in the caller's transaction);
    returns how many were queued."""
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for asg in assignments:
        by_reviewer[asg.reviewer_id].append(asg)
    if not by_reviewer:
        return 0
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(list(by_reviewer)))).scalars()}
    apps = {a.id: a for a in db.session.execute(select(Application).where(
        Application.id.in_({asg.application_id for asg in assignments}))).scalars()}
    sent = 0
    for reviewer_id, mine in sorted(by_reviewer.items()):
        user = users.get(reviewer_id)
        if user is None or not user.active:
            continue
        mine.sort(key=lambda asg: asg.application_id)
        program = apps[mine[0].application_id].program
        lines = "\n".join(f"- Application #{asg.application_id} to {apps[asg.application_id].program.title}:\n"
                          f"{_review_link(asg.application_id)}" for asg in mine)
        n = len(mine)
        ids = ",".join(str(asg.id) for asg in mine)
        send_mail(user.email, f"You have {n} application{'s' if n != 1 else ''} to review for {program.title}",
                  f"Hello {user.name},\n\nYou have been asked to review:\n{lines}\n\n{due_words(program)}\n\n"
                  f"Before you read one, you will be asked whether you have a conflict of interest with the "
                  f"applicant.\n",
                  key=f"review.assigned:{reviewer_id}:{hashlib.sha256(ids.encode()).hexdigest()[:24]}",
                  event="review.assigned", funder_id=program.funder_id)
        sent += 1
    return sent


def reminder_key(assignment_id: int) -> str:
    return f"review.reminder:{assignment_id}"


def send_reminders(now: dt.datetime | None = None) -> int:
    """Reminds each reviewer of every review still due in a program whose review deadline is
    within `REVIEW_REMINDER_DAYS` (and not past), once per assignment; returns how many were queued."""
    now = now or utcnow()
    horizon = now + dt.timedelta(days=int(current_app.config["REVIEW_REMINDER_DAYS"]))
    submitted = select(Review.assignment_id).where(Review.status == SUBMITTED, Review.assignment_id.is_not(None))
    rows = db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.application_id, User.email, User.name, Program)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .join(Program, Program.id == Application.program_id)
        .where(ReviewAssignment.status == ASSIGNED, ReviewAssignment.id.not_in(submitted),
               Application.status.in_(IN_REVIEW), User.active.is_(True),
               Program.review_ends_at.is_not(None), Program.review_ends_at > now,
               Program.review_ends_at <= horizon)
        .order_by(ReviewAssignment.id)).all()
    already = set(db.session.execute(select(ob.OutboxMessage.key).where(
        ob.OutboxMessage.key.in_([reminder_key(r.id) for r in rows] or [""]))).scalars())
    sent = 0
    for assignment_id, application_id, email, name, program in rows:
        if reminder_key(assignment_id) in already:
            continue
        send_mail(email, f"Reminder: your review of application #{application_id} for {program.title}",
                  f"Hello {name},\n\nYour review of application #{application_id} to {program.title} is not "
                  f"submitted yet. {due_words(program)}\n\n{_review_link(application_id).strip()}\n",
                  key=reminder_key(assignment_id), event="review.reminder", funder_id=program.funder_id)
        sent += 1
    return sent
