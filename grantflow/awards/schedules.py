"""Payment schedules: an award's instalments, which always add up to the award.

The rule, in integer cents: the instalments that are not cancelled add up to the amount of the
award (`Decision.amount_cents` of an award decision; 0 once it is no longer an award). Every change
made here — editing the schedule, spreading it over years, cancelling an instalment (its amount
moved to another) — is checked against that rule and refused whole, with a message at the field,
when it would break it. The award itself may still change afterwards (the decisions area may
change an award, after release too); the schedule is then *out of step*: it is flagged on every
page that shows it, and no payment can be recorded until an officer makes it add up again (a
cancellation that brings it closer is accepted meanwhile, so a withdrawn award's instalments can be
cancelled one by one).

An instalment is paid only once its condition is met: none, the agreement signed
(`AwardTerms.agreement_signed_at`, set by :func:`agreement_signed`), or a report accepted
(grantflow/awards/reports.py). Its status shown everywhere is derived: `scheduled` becomes `due`
when its date has come and its condition is met; `paid`, `on hold` and `cancelled` are stored.
Every change is in the audit trail.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from flask_babel import gettext as _
from typing import Iterable, Optional, Sequence

from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.awards.errors import AwardError
from grantflow.core import auditlog, events
from grantflow.core.db import db, utcnow
from grantflow.core.money import format_money
from grantflow.decisions.models import AWARD, Decision
from grantflow.feedback.checkins import today_for

MAX_INSTALMENTS = 60
# Dates outside these years are typos (and would overflow date arithmetic near year 9999).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def plausible(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def date_problem(day: dt.date | None, missing: str) -> str | None:
    """The message for a date that is missing or implausible, None when it will do."""
    if day is None:
        return missing
    if not plausible(day):
        return _("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    return None
METHOD_KEYS = tuple(k for k, _ in M.METHODS)
EDITABLE = (M.SCHEDULED, M.ON_HOLD)


@dataclass(frozen=True)
class Row:
    """One line of a schedule as typed: an existing instalment (`id`) or a new one."""
    amount_cents: Optional[int]
    due_on: Optional[dt.date]
    condition: str = M.NO_CONDITION
    condition_report_id: Optional[int] = None
    id: Optional[int] = None
    remove: bool = False


@dataclass(frozen=True)
class Line:
    """An instalment as pages and exports show it."""
    instalment: M.Instalment
    number: int
    status: str                 # scheduled, due, paid, on_hold, cancelled
    condition_met: bool
    waits_for: str              # what the condition waits for ("" without one)
    condition_text: str         # the condition as the schedule states it

    @property
    def status_label(self) -> str:
        return str(M.STATUS_LABELS[self.status])


@dataclass(frozen=True)
class Schedule:
    application_id: int
    award_cents: int
    lines: tuple[Line, ...]

    @property
    def scheduled_cents(self) -> int:
        return active_total(line.instalment for line in self.lines)

    @property
    def paid_cents(self) -> int:
        return sum(line.instalment.amount_cents for line in self.lines if line.status == M.PAID)

    @property
    def exists(self) -> bool:
        return bool(self.lines)

    @property
    def in_step(self) -> bool:
        return self.scheduled_cents == self.award_cents

    @property
    def problem(self) -> Optional[str]:
        """Why no payment can be made until the schedule is fixed (None when it adds up)."""
        if not self.exists or self.in_step:
            return None
        return out_of_step_message(self.scheduled_cents, self.award_cents)


def out_of_step_message(scheduled: int, award: int) -> str:
    gap = award - scheduled
    if gap > 0:
        return _("The instalments add up to %(scheduled)s, but the award is %(award)s (%(gap)s short).",
                 scheduled=format_money(scheduled), award=format_money(award), gap=format_money(gap))
    return _("The instalments add up to %(scheduled)s, but the award is %(award)s (%(gap)s too much).",
             scheduled=format_money(scheduled), award=format_money(award), gap=format_money(-gap))


def active_total(instalments: Iterable[M.Instalment]) -> int:
    return sum(i.amount_cents for i in instalments if i.status != M.CANCELLED)


def award_cents(application_id: int) -> int:
    """The award's amount now; 0 when the application's decision is not (or no longer) an award."""
    amount = db.session.execute(select(Decision.amount_cents).where(
        Decision.application_id == application_id, Decision.outcome == AWARD)).scalar_one_or_none()
    return int(amount or 0)


def paid_cents(application_id: int) -> int:
    """What was already paid of the application's award (the payments recorded on its instalments)."""
    return int(db.session.execute(select(func.coalesce(func.sum(M.Instalment.amount_cents), 0)).where(
        M.Instalment.application_id == application_id, M.Instalment.status == M.PAID)).scalar_one())


def instalments_of(application_id: int) -> list[M.Instalment]:
    return list(db.session.execute(
        select(M.Instalment).where(M.Instalment.application_id == application_id)
        .order_by(M.Instalment.due_on, M.Instalment.id)).scalars())


# --- conditions ------------------------------------------------------------------------------------

def conditions_met(instalments: Sequence[M.Instalment]) -> dict[int, bool]:
    """Whether each instalment's condition is met, in two queries however many there are."""
    from grantflow.awards.reports import accepted_report_ids

    report_ids = {i.condition_report_id for i in instalments if i.condition == M.REPORT_ACCEPTED}
    accepted = accepted_report_ids(report_ids - {None})
    app_ids = {i.application_id for i in instalments if i.condition == M.AGREEMENT_SIGNED}
    signed = set(db.session.execute(select(M.AwardTerms.application_id).where(
        M.AwardTerms.application_id.in_(app_ids or {-1}), M.AwardTerms.agreement_signed_at.is_not(None))).scalars())
    met = {}
    for i in instalments:
        if i.condition == M.AGREEMENT_SIGNED:
            met[i.id] = i.application_id in signed
        elif i.condition == M.REPORT_ACCEPTED:
            met[i.id] = i.condition_report_id in accepted
        else:
            met[i.id] = True
    return met


def status_of(instalment: M.Instalment, today: dt.date, met: bool) -> str:
    if instalment.status == M.SCHEDULED and met and instalment.due_on <= today:
        return M.DUE
    return instalment.status


def schedules_for(applications: Sequence[Application]) -> dict[int, Schedule]:
    """The schedule of each application (awarded or not), in a fixed number of queries."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    awards = dict(db.session.execute(select(Decision.application_id, Decision.amount_cents).where(
        Decision.application_id.in_(ids), Decision.outcome == AWARD)).all())
    rows = list(db.session.execute(select(M.Instalment).where(M.Instalment.application_id.in_(ids))
                                   .order_by(M.Instalment.application_id, M.Instalment.due_on,
                                             M.Instalment.id)).scalars())
    met = conditions_met(rows)
    titles = report_titles({i.condition_report_id for i in rows if i.condition_report_id is not None})
    by_program: dict[int, dt.date] = {}
    today = {a.id: by_program.setdefault(a.program_id, today_for(a.program)) for a in applications}
    by_app: dict[int, list[M.Instalment]] = {i: [] for i in ids}
    for r in rows:
        by_app[r.application_id].append(r)
    return {app_id: Schedule(app_id, int(awards.get(app_id) or 0), tuple(
        Line(i, n, status_of(i, today[app_id], met[i.id]), met[i.id], condition_label(i, titles),
             condition_text(i, titles))
        for n, i in enumerate(items, 1)))
        for app_id, items in by_app.items()}


def schedule_of(application: Application) -> Schedule:
    return schedules_for([application])[application.id]


def agreement_signed(application: Application, *, at: dt.datetime | None = None, actor_id: int | None = None) -> None:
    """Marks the award's agreement signed, which unlocks the instalments waiting for it (called by
    the agreements feature once a signature is complete)."""
    terms = terms_of(application.id)
    terms.agreement_signed_at = at or utcnow()
    terms.agreement_signed_by_id = actor_id
    db.session.flush()
    auditlog.record("awards.agreement_signed", object_type="Application", object_id=application.id,
                    after={"agreement_signed_at": terms.agreement_signed_at.isoformat()}, actor_id=actor_id)


def terms_of(application_id: int) -> M.AwardTerms:
    terms = db.session.get(M.AwardTerms, application_id)
    if terms is None:
        terms = M.AwardTerms(application_id=application_id)
        db.session.add(terms)
    return terms


# --- changing the schedule -------------------------------------------------------------------------

def _snapshot(instalments: Iterable[M.Instalment]) -> list[dict]:
    return [{"id": i.id, "amount_cents": i.amount_cents, "due_on": i.due_on.isoformat(), "condition": i.condition,
             "condition_report_id": i.condition_report_id, "status": i.status} for i in instalments]


def _record(action: str, application_id: int, before, after, actor_id: int | None, **extra) -> None:
    auditlog.record(action, object_type="Application", object_id=application_id,
                    before={"instalments": before}, after={"instalments": after, **extra}, actor_id=actor_id)


def _valid_report_ids(application_id: int) -> set[int]:
    from grantflow.feedback.models import ProgressReport

    return set(db.session.execute(select(ProgressReport.id).where(
        ProgressReport.application_id == application_id)).scalars())


def set_schedule(application: Application, rows: Sequence[Row], *, actor_id: int | None = None) -> list[M.Instalment]:
    """Applies the typed rows: existing instalments (by id) are changed or removed, new ones added.

    Paid and cancelled instalments cannot change. Refused whole (AwardError keyed
    `rows-<n>-<field>`, the total's message at the last amount typed) when a row is incomplete or
    the result would not add up to the award."""
    current = instalments_of(application.id)
    by_id = {i.id: i for i in current}
    reports = _valid_report_ids(application.id)
    problems: dict[str | None, str] = {}
    plan: list[tuple[int, Row]] = []
    for n, row in enumerate(rows):
        blank = row.id is None and row.amount_cents is None and row.due_on is None
        if blank or (row.id is None and row.remove):
            continue
        where = f"rows-{n}"
        if row.id is not None:
            existing = by_id.get(row.id)
            if existing is None:
                problems[f"{where}-amount"] = _("This instalment is no longer part of the schedule; reload the page.")
                continue
            if existing.status not in EDITABLE:
                problems[f"{where}-amount"] = _("This instalment is %(status)s and cannot change.",
                                                status=M.STATUS_LABELS[existing.status])
                continue
        if not row.remove:
            if row.amount_cents is None or row.amount_cents <= 0:
                problems[f"{where}-amount"] = _("Enter an amount of more than $0.")
            if (problem := date_problem(row.due_on, _("Enter the date this instalment is due, like 2026-03-31."))):
                problems[f"{where}-due_on"] = problem
            if row.condition not in M.CONDITIONS:
                problems[f"{where}-condition"] = _("Choose a condition from the list.")
            elif row.condition == M.REPORT_ACCEPTED and row.condition_report_id not in reports:
                problems[f"{where}-condition"] = _("Choose the report whose acceptance releases this instalment.")
        plan.append((n, row))
    kept = [i for i in current if i.id not in {r.id for _, r in plan}]
    new_total = active_total(kept) + sum(r.amount_cents or 0 for _, r in plan if not r.remove)
    count = len([i for i in kept if i.status != M.CANCELLED]) + len([r for _, r in plan if not r.remove])
    award = award_cents(application.id)
    last_amount = next((f"rows-{n}-amount" for n, r in reversed(plan) if not r.remove), None)
    if count > MAX_INSTALMENTS:
        problems.setdefault(last_amount, f"A schedule holds at most {MAX_INSTALMENTS} instalments.")
    if not problems and new_total != award:
        problems[last_amount] = (f"The instalments would add up to {format_money(new_total)}; they must add up "
                                 f"to the award, {format_money(award)}.")
    if problems:
        raise AwardError(problems)
    before = _snapshot(current)
    for _key, row in plan:
        if row.remove:
            db.session.delete(by_id[row.id])
            continue
        target = by_id.get(row.id) if row.id is not None else None
        if target is None:
            target = M.Instalment(application_id=application.id, status=M.SCHEDULED)
            db.session.add(target)
        target.amount_cents = row.amount_cents
        target.due_on = row.due_on
        target.condition = row.condition
        target.condition_report_id = row.condition_report_id if row.condition == M.REPORT_ACCEPTED else None
    db.session.flush()
    after = instalments_of(application.id)
    _record("awards.schedule_set", application.id, before, _snapshot(after), actor_id)
    return after


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


PER_YEAR = (1, 2, 3, 4, 6, 12)


def spread(total_cents: int, first_due: dt.date, *, years: int, per_year: int,
           first_condition: str = M.NO_CONDITION) -> list[Row]:
    """`total_cents` in equal instalments over `years` years, `per_year` a year from `first_due`;
    the cents that do not divide evenly go to the first instalment."""
    n = years * per_year
    share, rest = divmod(total_cents, n)
    step = 12 // per_year
    return [Row(amount_cents=share + (rest if k == 0 else 0), due_on=add_months(first_due, k * step),
                condition=first_condition if k == 0 else M.NO_CONDITION) for k in range(n)]


def spread_schedule(application: Application, *, first_due: dt.date | None, years: int | None,
                    per_year: int | None, first_condition: str = M.NO_CONDITION,
                    actor_id: int | None = None) -> list[M.Instalment]:
    """Replaces the scheduled (not paid, held or cancelled) instalments by an even spread of what
    is left of the award."""
    problems: dict[str | None, str] = {}
    if (problem := date_problem(first_due, _("Enter the date of the first instalment, like 2026-03-31."))):
        problems["first_due"] = problem
    if years is None or not 1 <= years <= 5:
        problems["years"] = _("Enter a number of years from 1 to 5.")
    if per_year not in PER_YEAR:
        problems["per_year"] = _("Choose how many instalments a year.")
    if first_condition not in (M.NO_CONDITION, M.AGREEMENT_SIGNED):
        problems["first_condition"] = _("Choose a condition from the list.")
    if problems:
        raise AwardError(problems)
    current = instalments_of(application.id)
    fixed = [i for i in current if i.status != M.SCHEDULED]
    left = award_cents(application.id) - active_total(fixed)
    if left < years * per_year:
        raise AwardError({"years": _("Nothing is left to spread: %(left)s of the award is not yet paid, held or "
                                     "cancelled.", left=format_money(max(left, 0)))})
    rows = [Row(None, None, id=i.id, remove=True) for i in current if i.status == M.SCHEDULED]
    rows += spread(left, first_due, years=years, per_year=per_year, first_condition=first_condition)
    return set_schedule(application, rows, actor_id=actor_id)


# --- paying, holding, cancelling -------------------------------------------------------------------

def record_payment(instalment: M.Instalment, *, paid_on: dt.date | None, method: str | None, reference: str = "",
                   actor_id: int | None = None) -> None:
    application = db.session.get(Application, instalment.application_id)
    schedule = schedule_of(application)
    line = next(line for line in schedule.lines if line.instalment.id == instalment.id)
    if instalment.status != M.SCHEDULED:
        status = M.STATUS_LABELS[instalment.status]
        raise AwardError({None: _("This instalment is %(status)s: it cannot be paid until its hold is released.",
                                  status=status) if instalment.status == M.ON_HOLD
                          else _("This instalment is %(status)s: it cannot be paid.", status=status)})
    if schedule.problem:
        raise AwardError({None: _("%(problem)s Fix the schedule before the next payment.",
                                  problem=schedule.problem)})
    if not line.condition_met:
        raise AwardError({None: _("This instalment waits for %(condition)s.", condition=line.waits_for)})
    problems: dict[str | None, str] = {}
    today = today_for(application.program)
    if (problem := date_problem(paid_on, _("Enter the date the payment was made, like 2026-03-31."))):
        problems["paid_on"] = problem
    elif paid_on > today:
        problems["paid_on"] = _("Record a payment once it is made: the date cannot be in the future.")
    if method not in METHOD_KEYS:
        problems["method"] = _("Choose how it was paid.")
    reference = (reference or "").strip()
    if len(reference) > 120:
        problems["reference"] = _("Keep the reference under 120 characters.")
    if problems:
        raise AwardError(problems)
    before = _snapshot([instalment])
    instalment.status = M.PAID
    instalment.paid_on = paid_on
    instalment.method = method
    instalment.reference = reference
    instalment.paid_by_id = actor_id
    instalment.paid_recorded_at = utcnow()
    db.session.flush()
    _record("awards.payment_recorded", application.id, before, _snapshot([instalment]), actor_id,
            paid_on=paid_on.isoformat(), method=method, reference=reference)
    program = application.program
    events.emit("payment.made", funder_id=program.funder_id,
                data={"instalment_id": instalment.id, "application_id": application.id, "program": program.slug,
                      "amount_cents": instalment.amount_cents, "paid_on": paid_on.isoformat(), "method": method})


def _reason(reason: str | None, required: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AwardError({"reason": required})
    if len(reason) > 2000:
        raise AwardError({"reason": _("Keep the reason under 2,000 characters.")})
    return reason


def hold(instalment: M.Instalment, *, reason: str | None, actor_id: int | None = None) -> None:
    if instalment.status != M.SCHEDULED:
        raise AwardError({None: _("Only a scheduled instalment can be put on hold; this one is %(status)s.",
                                  status=M.STATUS_LABELS[instalment.status])})
    reason = _reason(reason, _("Say why the instalment is put on hold."))
    before = _snapshot([instalment])
    instalment.status, instalment.reason = M.ON_HOLD, reason
    db.session.flush()
    _record("awards.instalment_held", instalment.application_id, before, _snapshot([instalment]), actor_id,
            reason=reason)


def release_hold(instalment: M.Instalment, *, actor_id: int | None = None) -> None:
    if instalment.status != M.ON_HOLD:
        raise AwardError({None: _("This instalment is not on hold.")})
    before = _snapshot([instalment])
    instalment.status, instalment.reason = M.SCHEDULED, ""
    db.session.flush()
    _record("awards.hold_released", instalment.application_id, before, _snapshot([instalment]), actor_id)


def cancel(instalment: M.Instalment, *, reason: str | None, move_to_id: int | None = None,
           actor_id: int | None = None) -> None:
    """Cancels an unpaid instalment; its amount moves to `move_to_id` (another unpaid instalment of
    the award) unless the award itself shrank by it. Refused when the schedule would not add up,
    unless it did not already and the cancellation brings it closer to the award."""
    if instalment.status not in EDITABLE:
        raise AwardError({None: _("This instalment is %(status)s and cannot be cancelled.",
                                  status=M.STATUS_LABELS[instalment.status])})
    reason = _reason(reason, _("Say why the instalment is cancelled."))
    current = instalments_of(instalment.application_id)
    target = None
    if move_to_id is not None:
        target = next((i for i in current if i.id == move_to_id and i.id != instalment.id and i.status in EDITABLE), None)
        if target is None:
            raise AwardError({"move_to": _("Choose another instalment of this award that is not paid or cancelled.")})
    award = award_cents(instalment.application_id)
    now_total = active_total(current)
    after_total = now_total - (0 if target is not None else instalment.amount_cents)
    # A schedule the award moved away from may be brought back one cancellation at a time.
    closer = now_total != award and abs(award - after_total) < abs(award - now_total)
    if after_total != award and not closer:
        amounts = {"scheduled": format_money(after_total), "award": format_money(award)}
        raise AwardError({"move_to": _("Cancelling it would leave the schedule at %(scheduled)s, not the award's "
                                       "%(award)s: move its amount to another instalment.", **amounts)
                          if target is None else
                          _("Cancelling it leaves the schedule at %(scheduled)s, not the award's %(award)s: move "
                            "its amount to another instalment.", **amounts)})
    before = _snapshot(current)
    if target is not None:
        target.amount_cents += instalment.amount_cents
    instalment.status, instalment.reason = M.CANCELLED, reason
    db.session.flush()
    _record("awards.instalment_cancelled", instalment.application_id, before,
            _snapshot(instalments_of(instalment.application_id)), actor_id, reason=reason, moved_to=move_to_id)


def report_titles(report_ids: set[int]) -> dict[int, str]:
    from grantflow.awards.reports import title_of
    from grantflow.feedback.models import ProgressReport

    if not report_ids:
        return {}
    return {r.id: title_of(r) for r in db.session.execute(
        select(ProgressReport).where(ProgressReport.id.in_(report_ids))).scalars()}


def _condition_subject(instalment: M.Instalment, titles: dict[int, str] | None) -> str:
    if instalment.condition == M.AGREEMENT_SIGNED:
        return _("the agreement")
    if titles is None:
        titles = report_titles({instalment.condition_report_id} - {None})
    title = titles.get(instalment.condition_report_id)
    return _("the %(report)s", report=title[0].lower() + title[1:]) if title else _("a report")


def condition_label(instalment: M.Instalment, titles: dict[int, str] | None = None) -> str:
    """What the instalment waits for, in words ("" when nothing): "the agreement to be signed"."""
    if instalment.condition == M.NO_CONDITION:
        return ""
    if instalment.condition == M.AGREEMENT_SIGNED:
        return _("%(subject)s to be signed", subject=_condition_subject(instalment, titles))
    return _("%(subject)s to be accepted", subject=_condition_subject(instalment, titles))


def condition_text(instalment: M.Instalment, titles: dict[int, str] | None = None) -> str:
    """The condition as the schedule states it: "on signing the agreement", "after … is accepted"."""
    if instalment.condition == M.NO_CONDITION:
        return ""
    if instalment.condition == M.AGREEMENT_SIGNED:
        return _("on signing the agreement")
    return _("after %(subject)s is accepted", subject=_condition_subject(instalment, titles))
