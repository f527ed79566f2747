"""Funding decisions: award, decline or waitlist within the budget (their release to applicants is
in release.py).

The budget is a hard limit even when two officers decide at the same moment: `decide` takes the
program's write lock inside the transaction (PostgreSQL: `SELECT ... FOR UPDATE` on the program
row; SQLite: a write on the program row, which takes SQLite's single writer lock, like
`BEGIN IMMEDIATE`), then re-sums the other awards and only then writes. The caller commits
(one commit per request), which releases the lock.

Two warnings a careful officer wants, each allowed with a recorded reason: an award for an
application with no complete review (`reason_without_review`), and any change of outcome or
amount to a decision already released (`change_reason`, which is also sent to the applicant).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from grantflow.accounts.models import User
from grantflow.applications import models as A
from grantflow.applications.models import Application, StatusChange
from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import SOURCE_LOCALE
from grantflow.core.money import format_money
from grantflow.decisions import release
from grantflow.decisions.models import AWARD, DECLINE, OUTCOMES, WAITLIST, Decision
from grantflow.programs.models import Program

STATUS_FOR = {AWARD: A.AWARDED, DECLINE: A.DECLINED, WAITLIST: A.WAITLISTED}
DECIDABLE = {A.SUBMITTED, A.ELIGIBLE, A.UNDER_REVIEW, A.RECOMMENDED, A.AWARDED, A.DECLINED, A.WAITLISTED}


class DecisionError(Exception):
    """A decision that cannot be saved; `field` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


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


def over_budget(budget_cents: int, awarded_cents: int, amount_cents: int, *, current_award_cents: int = 0) -> bool:
    """Whether awarding `amount_cents` to an application now holding `current_award_cents` (0 when
    not awarded) would take the program's awards (`awarded_cents`, all of them) past its budget.
    The one definition of "over budget": `decide` refuses such an award, the board marks the
    applications where it would happen."""
    return awarded_cents - current_award_cents + amount_cents > budget_cents


def awarded_total(program_id: int, *, excluding_application: int | None = None) -> int:
    q = select(func.coalesce(func.sum(Decision.amount_cents), 0)).where(
        Decision.program_id == program_id, Decision.outcome == AWARD
    )
    if excluding_application is not None:
        q = q.where(Decision.application_id != excluding_application)
    return int(db.session.execute(q).scalar_one())


def budget_state(program: Program) -> BudgetState:
    return BudgetState(program.budget_cents, awarded_total(program.id))


def lock_program(program_id: int) -> Program:
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


def review_warning(application: Application) -> str | None:
    """Why awarding this application deserves a second thought (no complete review), or None."""
    from grantflow.scoring.standing import COMPLETE, standing_of

    standing = standing_of(application)
    if standing is None or standing.standing == COMPLETE:
        return None
    return _("This application has no complete review (%(lacks)s). To award it anyway, give the reason; it is kept "
             "in the audit trail.", lacks="; ".join(map(str, standing.lacks)))


def decide(application: Application, outcome: str, *, amount_cents: int | None = None,
           rationale: str = "", actor: User | None = None, reason_without_review: str = "",
           change_reason: str = "") -> Decision:
    """Records (or changes) the decision on one application; raises DecisionError when it can't.

    An award with no complete review needs `reason_without_review`; a change of outcome or amount
    to a released decision needs `change_reason` (the applicant is told what changed, and why)."""
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
    reason_without_review = (reason_without_review or "").strip()
    change_reason = (change_reason or "").strip()
    current = decision_for(application.id)
    if (outcome == AWARD and not reason_without_review
            and (current is None or (current.outcome, current.amount_cents) != (AWARD, amount_cents))):
        warning = review_warning(application)  # before the lock: it reads every review of the program
        if warning:
            raise DecisionError("reason_without_review", warning)

    program = lock_program(program.id)
    # An award smaller than what was already paid of it says something that cannot be (to take an
    # award back after a payment, as when a grantee closes, it is declined: what was paid stays shown).
    from grantflow.awards.schedules import paid_cents  # the awards area imports this one

    paid = paid_cents(application.id) if outcome == AWARD else 0
    if paid and amount_cents < paid:
        raise DecisionError("amount", f"{format_money(paid)} of it was already paid: the award cannot be less than "
                                      f"that. To take the award back, decline it.")
    if outcome == AWARD:
        others = awarded_total(program.id, excluding_application=application.id)
        if over_budget(program.budget_cents, others, amount_cents):
            left = max(program.budget_cents - others, 0)
            raise DecisionError("amount", f"This award would exceed the program's budget of "
                                          f"{format_money(program.budget_cents)}: "
                                          f"{format_money(left)} is left to award.")

    decision = db.session.execute(
        select(Decision).where(Decision.application_id == application.id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    before = _snapshot(decision)
    changes = before is None or (before["outcome"], before["amount_cents"]) != (outcome, amount_cents or 0)
    told = decision is not None and decision.released_at is not None
    if told and changes:
        if not release.visible(decision):
            raise DecisionError(None, "This decision is being released: its applicant sees it from "
                                      f"{release.when_local(decision.released_at, program)}. Undo the release on the "
                                      f"release page first, or change it after that time.")
        if not change_reason:
            raise DecisionError("change_reason", "This decision was already released to the applicant. Say why "
                                                 "it changes; the applicant is told what changed, and why.")
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
        with force_locale(SOURCE_LOCALE):  # a stored note, read by the applicant and every officer
            note = f"Decision: {str(release.LABELS[outcome]).lower()}"
        db.session.add(StatusChange(application_id=application.id, from_status=application.status,
                                    to_status=new_status, actor_id=decision.decided_by_id, note=note))
        application.status = new_status
    after = _snapshot(decision)
    if reason_without_review and outcome == AWARD:
        after["reason_without_review"] = reason_without_review
    if told and changes:
        after["change_reason"] = change_reason
        release.tell_change(decision, application, change_reason, decision.decided_by_id)
    auditlog.record("decision.create" if before is None else "decision.change", decision,
                    before=before, after=after, actor_id=decision.decided_by_id)
    db.session.flush()
    return decision
