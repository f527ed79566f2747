"""An award's reporting requirements: interim and final reports, the officer's review, the
conversation that can stand in for a written report, and reminders before and after the due date.

A requirement is a progress report (grantflow/feedback: `ProgressReport` with kind interim or
final), so the grantee files it on the check-in page with the outcome measures they committed to,
and it shows beside the program's check-ins. What this module adds is the review: the officer
accepts it or asks for changes (the grantee is told, and filing again puts it back for review),
or records a conversation held instead (trust-based reporting), which counts as accepted. An
accepted report releases the instalments that wait for it (grantflow/awards/schedules.py).

Reminders go through the outbox, each once: one per report, reminder day and recipient (the
days are the setting AWARD_REPORT_REMINDER_DAYS, relative to the due date), sent by a periodic
queue task; on a given day only the latest reminder that has come is sent, so a report added late
does not receive every earlier reminder at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.awards.errors import AwardError
from grantflow.awards.schedules import date_problem
from grantflow.core import auditlog
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_when, in_language
from grantflow.core.mail import send_mail
from grantflow.core.timeutil import to_local
from grantflow.feedback import checkins
from grantflow.feedback.models import CHECKIN, FINAL, INTERIM, ProgressReport

KINDS = ((INTERIM, _l("Interim report")), (FINAL, _l("Final report")))
KIND_LABELS = {CHECKIN: _l("Check-in"), **dict(KINDS)}

# States of a report as the officer and the grantee see it.
ACCEPTED = "accepted"
CONVERSATION = "conversation held"
CHANGES = "changes requested"
AWAITING = "awaiting review"
STATE_FLAGGED = {"overdue", CHANGES}
# The states in the page's language (the states themselves are kept as keys).
STATE_LABELS = {**checkins.STATE_LABELS, ACCEPTED: _l("accepted"), CONVERSATION: _l("conversation held"),
                CHANGES: _l("changes requested"), AWAITING: _l("awaiting review")}


@dataclass(frozen=True)
class ReportLine:
    report: ProgressReport
    review: Optional[M.ReportReview]
    state: str

    @property
    def title(self) -> str:
        return title_of(self.report)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def accepted(self) -> bool:
        return self.state in (ACCEPTED, CONVERSATION)


def title_of(report: ProgressReport) -> str:
    return _("%(kind)s due %(when)s", kind=KIND_LABELS.get(report.kind) or _("Report"),
             when=format_when(report.due_on, "day"))


def state_of(report: ProgressReport, review: Optional[M.ReportReview], today: dt.date, tz: str) -> str:
    if review is not None and review.state == M.ACCEPTED:
        return CONVERSATION if review.conversation_on is not None else ACCEPTED
    if review is not None and review.state == M.CHANGES_REQUESTED:
        if report.submitted_at is None or report.submitted_at <= review.reviewed_at:
            return CHANGES
        return AWAITING
    if report.submitted_at is not None:
        return AWAITING
    return checkins.report_state(report, today, tz)


def accepted_report_ids(report_ids: Iterable[int]) -> set[int]:
    ids = set(report_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(M.ReportReview.report_id).where(
        M.ReportReview.report_id.in_(ids), M.ReportReview.state == M.ACCEPTED)).scalars())


def reports_for(applications: list[Application]) -> dict[int, list[ReportLine]]:
    """Every progress report (check-ins too) of each application with its review and state."""
    ids = [a.id for a in applications]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProgressReport, M.ReportReview).outerjoin(M.ReportReview, M.ReportReview.report_id == ProgressReport.id)
        .where(ProgressReport.application_id.in_(ids)).order_by(ProgressReport.due_on, ProgressReport.id)).all()
    programs = {a.id: a.program for a in applications}
    out: dict[int, list[ReportLine]] = {i: [] for i in ids}
    today: dict[int, dt.date] = {}
    for report, review in rows:
        program = programs[report.application_id]
        if program.id not in today:
            today[program.id] = checkins.today_for(program)
        out[report.application_id].append(
            ReportLine(report, review, state_of(report, review, today[program.id], program.timezone)))
    return out


# --- the officer's side ----------------------------------------------------------------------------

def add_report(application: Application, *, kind: str | None, due_on: dt.date | None,
               actor_id: int | None = None) -> ProgressReport:
    problems: dict[str | None, str] = {}
    if kind not in dict(KINDS):
        problems["kind"] = _("Choose interim or final.")
    if (problem := date_problem(due_on, _("Enter the date the report is due, like 2026-09-30."))):
        problems["due_on"] = problem
    elif db.session.execute(select(ProgressReport.id).where(
            ProgressReport.application_id == application.id, ProgressReport.kind == kind,
            ProgressReport.due_on == due_on)).first() is not None:
        problems["due_on"] = _("This award already has a %(kind)s due that day.", kind=str(KIND_LABELS[kind]).lower())
    if problems:
        raise AwardError(problems)
    report = ProgressReport(application_id=application.id, kind=kind, due_on=due_on, measures={})
    db.session.add(report)
    db.session.flush()
    auditlog.record("awards.report_required", report, after={"kind": kind, "due_on": due_on.isoformat(),
                                                             "application_id": application.id}, actor_id=actor_id)
    return report


def _review_snapshot(review: Optional[M.ReportReview]) -> Optional[dict]:
    if review is None:
        return None
    return {"state": review.state, "note": review.note, "reviewed_by_id": review.reviewed_by_id,
            "conversation_on": review.conversation_on.isoformat() if review.conversation_on else None}


def _set_review(report: ProgressReport, *, state: str, note: str, conversation_on: dt.date | None,
                actor_id: int | None) -> M.ReportReview:
    review = db.session.get(M.ReportReview, report.id)
    before = _review_snapshot(review)
    if review is None:
        review = M.ReportReview(report_id=report.id)
        db.session.add(review)
    review.state, review.note, review.conversation_on = state, note, conversation_on
    review.reviewed_by_id, review.reviewed_at = actor_id, utcnow()
    db.session.flush()
    auditlog.record("awards.report_reviewed", report, before=before, after=_review_snapshot(review),
                    actor_id=actor_id)
    return review


def _note(note: str | None, *, required: str | None, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise AwardError({field: required})
    if len(note) > 4000:
        raise AwardError({field: _("Keep it under 4,000 characters.")})
    return note


def review(report: ProgressReport, *, accept: bool, note: str | None = "", actor_id: int | None = None,
           link: str = "") -> M.ReportReview:
    """Accepts a filed report, or asks for changes (the grantee is emailed what to change)."""
    if report.kind == CHECKIN:
        raise AwardError({None: _("Check-ins are not reviewed; add an interim or final report to review.")})
    if report.submitted_at is None:
        raise AwardError({None: _("Nothing has been filed yet. Wait for the report, or record a conversation "
                                "held instead.")})
    note = _note(note, required=None if accept else _("Say what should change, so the grantee knows."))
    result = _set_review(report, state=M.ACCEPTED if accept else M.CHANGES_REQUESTED, note=note,
                         conversation_on=None, actor_id=actor_id)
    if not accept:
        application = db.session.get(Application, report.application_id)
        program = application.program
        with in_language(application.applicant.language):
            title = title_of(report).lower()
            subject = _("Changes requested: your report for %(program)s", program=program.title)
            body = "\n\n".join((
                _("Hello,"),
                _("Thank you for your %(report)s for “%(title)s”. Before we can accept it, we ask for these changes:",
                  report=title, title=application.title or program.title),
                note,
                *([_("Update it here: %(url)s", url=link)] if link else []),
                _("If something makes this hard, reply and tell us."))) + "\n"
        for email in checkins.applicant_emails(application):
            send_mail(email, subject, body,
                      key=f"award.report.changes:{report.id}:{result.reviewed_at.isoformat()}:{email}",
                      event="award.report.changes", funder_id=program.funder_id)
    return result


def record_conversation(report: ProgressReport, *, held_on: dt.date | None, notes: str | None,
                        actor_id: int | None = None) -> M.ReportReview:
    """A conversation with the grantee stands in for the written report: it is accepted."""
    if report.kind == CHECKIN:
        raise AwardError({None: _("Check-ins are not reviewed; add an interim or final report to review.")})
    application = db.session.get(Application, report.application_id)
    if (problem := date_problem(held_on, _("Enter the day of the conversation, like 2026-09-30."))):
        raise AwardError({"held_on": problem})
    if held_on > checkins.today_for(application.program):
        raise AwardError({"held_on": _("Record a conversation once it was held: the date cannot be in the future.")})
    notes = _note(notes, required=_("Write what you heard: it stands in for the written report."), field="notes")
    return _set_review(report, state=M.ACCEPTED, note=notes, conversation_on=held_on, actor_id=actor_id)


# --- reminders -------------------------------------------------------------------------------------

def reminder_due(due_on: dt.date, today: dt.date, days: Iterable[int]) -> Optional[int]:
    """The latest reminder day (relative to the due date) that has come, or None."""
    come = [d for d in days if due_on + dt.timedelta(days=d) <= today]
    return max(come) if come else None


def send_reminders(*, now: dt.datetime | None = None, link_for: Callable[[ProgressReport], str] | None = None) -> int:
    """Reminds the grantees of every interim and final report not filed, nor accepted by conversation,
    whose program has released its decisions; returns how many messages were recorded (each reminder
    is keyed, so running again the same day records none)."""
    from grantflow.decisions.models import AWARD, Decision
    from grantflow.programs.models import Program

    now = now or utcnow()
    days = sorted(int(d) for d in current_app.config["AWARD_REPORT_REMINDER_DAYS"])
    rows = db.session.execute(
        select(ProgressReport, Application, Program)
        .join(Application, Application.id == ProgressReport.application_id)
        .join(Program, Program.id == Application.program_id)
        .join(Decision, (Decision.application_id == Application.id) & (Decision.outcome == AWARD))
        .outerjoin(M.ReportReview, M.ReportReview.report_id == ProgressReport.id)
        .where(ProgressReport.kind.in_((INTERIM, FINAL)), ProgressReport.submitted_at.is_(None),
               M.ReportReview.report_id.is_(None), Decision.released_at.is_not(None),
               Decision.released_at <= now)
        .order_by(ProgressReport.due_on, ProgressReport.id)).all()
    plans = []
    for report, application, program in rows:
        today = to_local(now, program.timezone).date()
        day = reminder_due(report.due_on, today, days)
        if day is not None:
            plans += [(report, application, program, today, email, f"award.report.reminder:{report.id}:{day}:{email}")
                      for email in checkins.applicant_emails(application)]
    from grantflow.core.outbox import OutboxMessage

    keys = [p[-1] for p in plans]
    sent_before = set(db.session.execute(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))).scalars()) \
        if keys else set()
    for report, application, program, today, email, key in plans:
        if key in sent_before:
            continue
        late = report.due_on < today
        link = link_for(report) if link_for else ""
        with in_language(application.applicant.language):
            kind, when = str(KIND_LABELS[report.kind]).lower(), format_when(report.due_on, "day")
            title = application.title or program.title
            subject = (_("Overdue: your %(kind)s for %(program)s", kind=kind, program=program.title) if late
                       else _("Reminder: your %(kind)s for %(program)s is due %(when)s", kind=kind,
                              program=program.title, when=when))
            body = "\n\n".join((
                _("Hello,"),
                (_("Your %(kind)s for “%(title)s” was due on %(when)s.", kind=kind, title=title, when=when) if late
                 else _("Your %(kind)s for “%(title)s” is due on %(when)s.", kind=kind, title=title, when=when))
                + " " + _("It asks for the outcome measures you committed to and how we could help or burden you "
                          "less."),
                *([_("File it here: %(url)s", url=link)] if link else []),
                _("If a conversation would suit you better than a written report, reply and tell us."))) + "\n"
        send_mail(email, subject, body, key=key, event="award.report.reminder", funder_id=program.funder_id)
    db.session.flush()
    return len([p for p in plans if p[-1] not in sent_before])
