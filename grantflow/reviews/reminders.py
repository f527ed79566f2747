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
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.accounts.models import Membership, User
from grantflow.accounts.services import language_of
from grantflow.applications import models as A
from grantflow.applications.models import Application
from grantflow.core import outbox as ob
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_when, in_language
from grantflow.core.mail import send_mail
from grantflow.core.timeutil import to_local
from grantflow.core.urls import external_url
from grantflow.programs.models import Program
from grantflow.reviews.models import ASSIGNED, SUBMITTED, Review, ReviewAssignment

# Applications whose reviews are still wanted (a withdrawn or ineligible one is not reviewed).
IN_REVIEW = (A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED)


def due_words(program: Program) -> str:
    if program.review_ends_at is None:
        return _("The program has not set a review deadline yet.")
    local = to_local(program.review_ends_at, program.timezone)
    return _("Reviews are due by %(when)s.", when=format_when(local, "deadline"))


def _review_link(application_id: int) -> str:
    link = external_url("reviews.review", app_id=application_id)
    return f"  {link}" if link else "  " + _("(log in to GrantFlow: it is on your dashboard)")


def notify_assigned(assignments: list[ReviewAssignment]) -> int:
    """One email per reviewer for the assignments just made (in the caller's transaction);
    returns how many were queued."""
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for asg in assignments:
        by_reviewer[asg.reviewer_id].append(asg)
    if not by_reviewer:
        return 0
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(list(by_reviewer))).options(
        selectinload(User.memberships).selectinload(Membership.organization))).scalars()}
    apps = {a.id: a for a in db.session.execute(select(Application).where(
        Application.id.in_({asg.application_id for asg in assignments}))).scalars()}
    sent = 0
    for reviewer_id, mine in sorted(by_reviewer.items()):
        user = users.get(reviewer_id)
        if user is None or not user.active:
            continue
        mine.sort(key=lambda asg: asg.application_id)
        program = apps[mine[0].application_id].program
        n = len(mine)
        ids = ",".join(str(asg.id) for asg in mine)
        with in_language(language_of(user)):
            lines = "\n".join("- " + _("Application #%(number)s to %(program)s:", number=asg.application_id,
                                         program=apps[asg.application_id].program.title)
                               + "\n" + _review_link(asg.application_id) for asg in mine)
            subject = ngettext("You have %(num)d application to review for %(program)s",
                               "You have %(num)d applications to review for %(program)s", n, program=program.title)
            body = "\n\n".join((
                _("Hello %(name)s,", name=user.name), _("You have been asked to review:") + "\n" + lines,
                due_words(program),
                _("Before you read one, you will be asked whether you have a conflict of interest with the "
                  "applicant."))) + "\n"
        send_mail(user.email, subject, body,
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
        select(ReviewAssignment.id, ReviewAssignment.application_id, User, Program)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .join(Program, Program.id == Application.program_id)
        .where(ReviewAssignment.status == ASSIGNED, ReviewAssignment.id.not_in(submitted),
               Application.status.in_(IN_REVIEW), User.active.is_(True),
               Program.review_ends_at.is_not(None), Program.review_ends_at > now,
               Program.review_ends_at <= horizon)
        .options(selectinload(User.memberships).selectinload(Membership.organization))
        .order_by(ReviewAssignment.id)).all()
    already = set(db.session.execute(select(ob.OutboxMessage.key).where(
        ob.OutboxMessage.key.in_([reminder_key(r.id) for r in rows] or [""]))).scalars())
    sent = 0
    for assignment_id, application_id, user, program in rows:
        if reminder_key(assignment_id) in already:
            continue
        with in_language(language_of(user)):
            subject = _("Reminder: your review of application #%(number)s for %(program)s", number=application_id,
                        program=program.title)
            body = "\n\n".join((
                _("Hello %(name)s,", name=user.name),
                _("Your review of application #%(number)s to %(program)s is not submitted yet.",
                  number=application_id, program=program.title) + " " + due_words(program),
                _review_link(application_id).strip())) + "\n"
        send_mail(user.email, subject, body,
                  key=reminder_key(assignment_id), event="review.reminder", funder_id=program.funder_id)
        sent += 1
    return sent
