"""Funding decisions: award, decline or waitlist within the budget, released to applicants on a date.

The budget is a hard limit even when two officers decide at the same moment: `decide` takes the
program's write lock inside the transaction (PostgreSQL: `SELECT ... FOR UPDATE` on the program
row; SQLite: a write on the program row, which takes SQLite's single writer lock, like
`BEGIN IMMEDIATE`), then re-sums the other awards and only then writes. The caller commits
(one commit per request), which releases the lock.

Release: decisions stay hidden until `Program.decisions_release_at`. "Release now" sets that time
to now; `send_release_emails` (run by "Release now" and by the `grantflow release-decisions`
command for scheduled releases) emails each applicant once, marking `Decision.notified_at`.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from grantflow.accounts.models import Membership, User
from grantflow.applications import models as A
from grantflow.applications.models import Application, StatusChange
from grantflow.core import auditlog, events
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.core.mail import send_mail
from grantflow.core.money import format_money
from grantflow.decisions.models import AWARD, DECLINE, OUTCOMES, WAITLIST, Decision
from grantflow.programs.models import Program

STATUS_FOR = {AWARD: A.AWARDED, DECLINE: A.DECLINED, WAITLIST: A.WAITLISTED}
DECIDABLE = {A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED, A.AWARDED, A.DECLINED, A.WAITLISTED}
LABELS = {AWARD: "Awarded", DECLINE: "Declined", WAITLIST: "Waitlisted"}


class DecisionError(Exception):
    """A decision that cannot be saved; `field` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- release -------------------------------------------------------------------------------------

def is_released(program: Program) -> bool:
    at = program.decisions_release_at
    return at is not None and utcnow() >= at


def released_decision(application: Application) -> Decision | None:
    """The application's decision, only once the program has released decisions."""
    if not is_released(application.program):
        return None
    return db.session.execute(
        select(Decision).where(Decision.application_id == application.id)
    ).scalar_one_or_none()


def decision_for(application_id: int) -> Decision | None:
    return db.session.execute(
        select(Decision).where(Decision.application_id == application_id)
    ).scalar_one_or_none()


# --- deciding ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetState:
    budget_cents: int
    awarded_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.budget_cents - self.awarded_cents


def awarded_total(program_id: int, *, excluding_application: int | None = None) -> int:
    q = select(func.coalesce(func.sum(Decision.amount_cents), 0)).where(
        Decision.program_id == program_id, Decision.outcome == AWARD
    )
    if excluding_application is not None:
        q = q.where(Decision.application_id != excluding_application)
    return int(db.session.execute(q).scalar_one())


def budget_state(program: Program) -> BudgetState:
    return BudgetState(program.budget_cents, awarded_total(program.id))


def _lock_program(program_id: int) -> Program:
    """Takes the program's write lock for the rest of the transaction and reloads the row."""
    if db.session.get_bind().dialect.name == "sqlite":
        try:
            db.session.execute(update(Program).where(Program.id == program_id)
                               .values(id=Program.id, updated_at=Program.updated_at))
        except OperationalError as exc:  # another writer held the lock past the busy timeout
            db.session.rollback()
            raise DecisionError(None, "Another decision was being saved at the same moment. "
                                      "Please try again.") from exc
    return db.session.execute(
        select(Program).where(Program.id == program_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _snapshot(d: Decision | None) -> dict | None:
    if d is None:
        return None
    return {"outcome": d.outcome, "amount_cents": d.amount_cents, "rationale": d.rationale,
            "decided_by_id": d.decided_by_id}


def validate_amount(program: Program, application: Application, amount_cents: int | None) -> None:
    if amount_cents is None:
        raise DecisionError("amount", "Enter the amount to award.")
    if amount_cents <= 0:
        raise DecisionError("amount", "An award must be more than $0.")
    if program.min_award_cents and amount_cents < program.min_award_cents:
        raise DecisionError("amount", f"The award must be at least the program's minimum of "
                                      f"{format_money(program.min_award_cents)}.")
    if program.max_award_cents and amount_cents > program.max_award_cents:
        raise DecisionError("amount", f"The award must be at most the program's maximum of "
                                      f"{format_money(program.max_award_cents)}.")
    requested = application.amount_requested_cents
    if requested is not None and amount_cents > requested:
        raise DecisionError("amount", f"The award cannot be more than the "
                                      f"{format_money(requested)} requested.")


def decide(application: Application, outcome: str, *, amount_cents: int | None = None,
           rationale: str = "", actor: User | None = None) -> Decision:
    """Records (or changes) the decision on one application; raises DecisionError when it can't."""
    if outcome not in OUTCOMES:
        raise DecisionError("outcome", "Choose award, decline or waitlist.")
    rationale = (rationale or "").strip()
    if not rationale:
        raise DecisionError("rationale", "Give the rationale for this decision.")
    if application.status not in DECIDABLE:
        raise DecisionError(None, f"An application that is {application.status.replace('_', ' ')} "
                                  f"cannot be decided.")
    program = application.program
    if outcome == AWARD:
        validate_amount(program, application, amount_cents)
    else:
        amount_cents = 0

    program = _lock_program(program.id)
    if outcome == AWARD:
        others = awarded_total(program.id, excluding_application=application.id)
        if others + amount_cents > program.budget_cents:
            left = max(program.budget_cents - others, 0)
            raise DecisionError("amount", f"This award would exceed the program's budget of "
                                          f"{format_money(program.budget_cents)}: "
                                          f"{format_money(left)} is left to award.")

    decision = db.session.execute(
        select(Decision).where(Decision.application_id == application.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    before = _snapshot(decision)
    if decision is None:
        decision = Decision(application_id=application.id, program_id=program.id)
        db.session.add(decision)
    decision.outcome = outcome
    decision.amount_cents = amount_cents or 0
    decision.rationale = rationale
    decision.decided_by_id = actor.id if actor is not None else None
    decision.decided_at = utcnow()
    db.session.flush()

    new_status = STATUS_FOR[outcome]
    if application.status != new_status:
        db.session.add(StatusChange(application_id=application.id, from_status=application.status,
                                    to_status=new_status, actor_id=decision.decided_by_id,
                                    note=f"Decision: {LABELS[outcome].lower()}"))
        application.status = new_status
    auditlog.record("decision.create" if before is None else "decision.change", decision,
                    before=before, after=_snapshot(decision), actor_id=decision.decided_by_id)
    db.session.flush()
    return decision


# --- release and emails ---------------------------------------------------------------------------

def release_now(program: Program, actor: User | None = None) -> int:
    """Makes the decisions visible from now on and queues the applicants' emails (they leave after
    the commit, from the worker); returns how many were queued."""
    before = program.decisions_release_at
    if before is None or before > utcnow():
        program.decisions_release_at = utcnow()
        auditlog.record("decisions.release", program,
                        before={"decisions_release_at": before.isoformat() if before else None},
                        after={"decisions_release_at": program.decisions_release_at.isoformat()},
                        actor_id=actor.id if actor else None)
    db.session.flush()
    return send_release_emails(program)


def _recipients(application: Application) -> list[str]:
    org_ids = {application.organization_id}
    rows = db.session.execute(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id.in_(org_ids), Membership.role == R.APPLICANT, User.active.is_(True))
        .order_by(User.email)
    ).scalars().all()
    emails = list(dict.fromkeys(rows))
    if not emails and application.created_by_id:
        creator = db.session.get(User, application.created_by_id)
        if creator is not None:
            emails = [creator.email]
    return emails


def send_release_emails(program: Program) -> int:
    """Emails every decided applicant of a released program who was not told yet; idempotent."""
    if not is_released(program):
        return 0
    pending = db.session.execute(
        select(Decision).where(Decision.program_id == program.id, Decision.notified_at.is_(None))
        .order_by(Decision.id).with_for_update(skip_locked=True)
    ).scalars().all()
    sent = 0
    for decision in pending:
        application = db.session.get(Application, decision.application_id)
        recipients = _recipients(application)
        subject = f"Decision on your application to {program.title}"
        body = (f"Hello,\n\nThe decision on your application \"{application.title or program.title}\" "
                f"to {program.title} is now available: {LABELS[decision.outcome]}"
                + (f" ({format_money(decision.amount_cents)})" if decision.outcome == AWARD else "")
                + ".\n\nLog in to GrantFlow and open your application's status page for the details.\n")
        for to in recipients:
            send_mail(to, subject, body, key=f"decision.released:{decision.id}:{decision.decided_at.isoformat()}:{to}",
                      event="decision.released", funder_id=program.funder_id)
            sent += 1
        decision.notified_at = utcnow()
        auditlog.record("decision.notified", decision, after={"recipients": recipients})
        events.emit("decision.released", funder_id=program.funder_id,
                    data={"decision_id": decision.id, "application_id": application.id, "program": program.slug,
                          "outcome": decision.outcome, "amount_cents": decision.amount_cents,
                          "decided_at": decision.decided_at.isoformat(timespec="seconds")})
    db.session.flush()
    return sent


def release_due(now=None) -> int:
    """For the scheduled release: emails for every program whose release time has passed."""
    now = now or utcnow()
    programs = db.session.execute(
        select(Program).where(Program.decisions_release_at.is_not(None), Program.decisions_release_at <= now,
                              Program.id.in_(select(Decision.program_id).where(Decision.notified_at.is_(None))))
    ).scalars().all()
    return sum(send_release_emails(p) for p in programs)
