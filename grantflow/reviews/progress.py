"""Where a program's reviews stand: each reviewer's assigned, done and overdue reviews (the program
officer's progress page), applications moving to "under review", and whether reviews have begun
(for the warning when blind review is switched mid-review).

An application moves from submitted (or eligible) to under review when it has a reviewer and the
application period has closed: at assignment when it already has, else by the periodic job once it
does. Until then it stays submitted, so the applicant may still withdraw it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update

from grantflow.accounts.models import User
from grantflow.applications import models as A
from grantflow.applications.models import Application, StatusChange
from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.programs.models import Program
from grantflow.reviews import reminders
from grantflow.reviews.models import ASSIGNED, DRAFT, SUBMITTED, Review, ReviewAssignment

BEFORE_REVIEW = (A.SUBMITTED, A.ELIGIBLE)


def on_assigned(assignments: list[ReviewAssignment], *, actor_id: int | None) -> None:
    """What follows new assignments: each reviewer is emailed, and their applications move to
    under review if the application period has closed."""
    if not assignments:
        return
    reminders.notify_assigned(assignments)
    start_review([a.application_id for a in assignments], actor_id=actor_id)


def start_review(application_ids: list[int], *, actor_id: int | None = None,
                 now: dt.datetime | None = None) -> int:
    """Moves those of the applications that have a reviewer, in programs closed to applications,
    from submitted or eligible to under review (with a status change each); returns how many."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Application.id, Application.status).join(Program, Program.id == Application.program_id)
        .where(Application.id.in_(application_ids or [-1]), Application.status.in_(BEFORE_REVIEW),
               Program.closes_at.is_not(None), Program.closes_at <= now,
               Application.id.in_(select(ReviewAssignment.application_id)
                                  .where(ReviewAssignment.status == ASSIGNED)))).all()
    moved = 0
    for app_id, before in rows:
        done = db.session.execute(update(Application).where(Application.id == app_id, Application.status == before)
                                  .values(status=A.UNDER_REVIEW, updated_at=now)
                                  .execution_options(synchronize_session="fetch")).rowcount
        if done:
            db.session.add(StatusChange(application_id=app_id, from_status=before, to_status=A.UNDER_REVIEW,
                                        actor_id=actor_id, note="Reviewers assigned; review begins", at=now))
            moved += 1
    db.session.flush()
    return moved


def start_reviews_after_close(now: dt.datetime | None = None) -> int:
    """The periodic job's part: every assigned application of a program that has closed since."""
    now = now or utcnow()
    waiting = db.session.execute(
        select(Application.id).join(Program, Program.id == Application.program_id)
        .join(ReviewAssignment, ReviewAssignment.application_id == Application.id)
        .where(Application.status.in_(BEFORE_REVIEW), ReviewAssignment.status == ASSIGNED,
               Program.closes_at.is_not(None), Program.closes_at <= now).distinct()).scalars().all()
    return start_review(list(waiting), now=now)


@dataclass(frozen=True)
class ReviewerProgress:
    reviewer_id: int
    name: str
    email: str
    assigned: int  # active assignments in the program
    done: int  # submitted
    drafts: int  # begun, not submitted
    overdue: int  # not submitted and the review deadline has passed

    @property
    def to_do(self) -> int:
        return self.assigned - self.done


def reviewer_progress(program: Program, now: dt.datetime | None = None) -> list[ReviewerProgress]:
    """Per reviewer with an active assignment in the program, in two queries whatever their number."""
    now = now or utcnow()
    late = program.review_ends_at is not None and program.review_ends_at <= now
    counts = db.session.execute(
        select(ReviewAssignment.reviewer_id, Review.status, func.count())
        .join(Application, Application.id == ReviewAssignment.application_id)
        .outerjoin(Review, Review.assignment_id == ReviewAssignment.id)
        .where(Application.program_id == program.id, ReviewAssignment.status == ASSIGNED,
               Application.status.in_(reminders.IN_REVIEW + (A.AWARDED, A.DECLINED, A.WAITLISTED)))
        .group_by(ReviewAssignment.reviewer_id, Review.status)).all()
    tally: dict[int, dict] = {}
    for reviewer_id, status, n in counts:
        t = tally.setdefault(reviewer_id, {"assigned": 0, SUBMITTED: 0, DRAFT: 0})
        t["assigned"] += n
        if status in (SUBMITTED, DRAFT):
            t[status] += n
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(list(tally) or [-1]))).scalars()}
    out = [ReviewerProgress(rid, users[rid].name, users[rid].email, t["assigned"], t[SUBMITTED], t[DRAFT],
                            (t["assigned"] - t[SUBMITTED]) if late else 0)
           for rid, t in tally.items() if rid in users]
    return sorted(out, key=lambda p: (-p.overdue, -p.to_do, p.name, p.reviewer_id))


def reviews_started(program: Program) -> int:
    """Reviews begun (drafts or submitted) in the program."""
    return db.session.execute(
        select(func.count()).select_from(Review).join(Application, Application.id == Review.application_id)
        .where(Application.program_id == program.id)).scalar_one()


BLIND_REVIEW_CHANGED = "program.blind_review_changed"


def record_blind_review_change(program: Program, *, turned_on: bool, reason: str, actor_id: int | None) -> None:
    """Blind review switched after reviews began: kept in the audit trail (the equity audit notes it)."""
    auditlog.record(BLIND_REVIEW_CHANGED, program, actor_id=actor_id,
                    after={"blind_review": turned_on, "reviews_started": reviews_started(program), "reason": reason})


def blind_review_changes(program_id: int) -> list[dict]:
    """Each time blind review was switched after reviews had begun: {"at", "blind_review", "reviews_started"}."""
    from grantflow.core.auditlog import AuditEvent

    return [{"at": at, **(after or {})} for at, after in db.session.execute(
        select(AuditEvent.at, AuditEvent.after).where(AuditEvent.action == BLIND_REVIEW_CHANGED,
                                                      AuditEvent.object_type == "Program",
                                                      AuditEvent.object_id == program_id)
        .order_by(AuditEvent.id)).all()]
