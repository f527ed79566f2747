"""Grantee check-ins: progress reports due on the program's schedule, late ones flagged, reminders.

Reports exist only for awarded applications whose decision is released. The schedule
(`Program.report_schedule`, ISO dates) is turned into one `ProgressReport` per funded application
and due date; removing a date removes its reports that were not filed yet. Only check-ins
(`ProgressReport.kind == CHECKIN`) follow the schedule and get these daily reminders; an award's
interim and final reports are its own (grantflow/awards/reports.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_when, in_language
from grantflow.core.timeutil import to_local

REMIND_DAYS = 7  # "due soon": within this many days
# A report's states (report_state) in the page's language; the states themselves stay as keys.
STATE_LABELS = {"filed": _l("filed"), "filed late": _l("filed late"), "overdue": _l("overdue"),
                "due soon": _l("due soon"), "upcoming": _l("upcoming")}


def today_for(program) -> dt.date:
    return to_local(utcnow(), program.timezone).date()


def schedule_dates(program) -> list[dt.date]:
    out = []
    for value in program.report_schedule or []:
        try:
            out.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return sorted(set(out))


def set_schedule(program, dates: Iterable[dt.date]) -> None:
    from grantflow.core import auditlog

    before = list(program.report_schedule or [])
    program.report_schedule = [d.isoformat() for d in sorted(set(dates))]
    auditlog.record("feedback.report_schedule_set", program, before={"report_schedule": before},
                    after={"report_schedule": program.report_schedule})
    ensure_reports(program)


def funded_applications(program) -> list:
    from grantflow.applications.models import Application
    from grantflow.decisions.models import AWARD, Decision
    from grantflow.feedback.applicant import is_released

    if not is_released(program):
        return []
    return db.session.execute(
        select(Application).join(Decision, Decision.application_id == Application.id)
        .where(Application.program_id == program.id, Decision.outcome == AWARD)
        .options(selectinload(Application.organization)).order_by(Application.id)
    ).scalars().all()


def ensure_reports(program) -> None:
    """One check-in per funded application and due date; unfiled ones for removed dates go."""
    from grantflow.feedback.models import CHECKIN, ProgressReport

    due = set(schedule_dates(program))
    apps = funded_applications(program)
    existing = db.session.execute(
        select(ProgressReport).where(ProgressReport.application_id.in_([a.id for a in apps] or [-1]),
                                     ProgressReport.kind == CHECKIN)
    ).scalars().all()
    have = {(r.application_id, r.due_on) for r in existing}
    for r in existing:
        if r.due_on not in due and r.submitted_at is None:
            db.session.delete(r)
    for a in apps:
        for d in due:
            if (a.id, d) not in have:
                db.session.add(ProgressReport(application_id=a.id, due_on=d, measures={}))
    db.session.flush()


@dataclass(frozen=True)
class ReportRow:
    report: object
    application: object
    state: str          # "filed", "filed late", "overdue", "due soon", "upcoming"

    @property
    def flagged(self) -> bool:
        return self.state in ("overdue", "filed late")


def report_state(report, today: dt.date, tz: str) -> str:
    if report.submitted_at is not None:
        return "filed late" if to_local(report.submitted_at, tz).date() > report.due_on else "filed"
    if report.due_on < today:
        return "overdue"
    if (report.due_on - today).days <= REMIND_DAYS:
        return "due soon"
    return "upcoming"


def program_reports(program) -> list[ReportRow]:
    from grantflow.applications.models import Application
    from grantflow.feedback.models import ProgressReport

    today = today_for(program)
    rows = db.session.execute(
        select(ProgressReport, Application).join(Application, Application.id == ProgressReport.application_id)
        .where(Application.program_id == program.id)
        .options(selectinload(Application.organization), selectinload(Application.on_behalf_of))
        .order_by(ProgressReport.due_on, Application.id)
    ).all()
    return [ReportRow(r, a, report_state(r, today, program.timezone)) for r, a in rows]


def reports_of(application) -> list[ReportRow]:
    from grantflow.feedback.models import ProgressReport

    program = application.program
    today = today_for(program)
    reports = db.session.execute(select(ProgressReport).where(ProgressReport.application_id == application.id)
                                 .order_by(ProgressReport.due_on)).scalars().all()
    return [ReportRow(r, application, report_state(r, today, program.timezone)) for r in reports]


def file_report(report, *, actuals: dict[int, str], how_funder_could_help: str, user_id: int) -> None:
    """Keeps each committed measure with the value reached: {"metric", "target", "actual"}."""
    from grantflow.applications.models import Application
    from grantflow.core import auditlog

    application = db.session.get(Application, report.application_id)
    before = {"measures": report.measures, "how_funder_could_help": report.how_funder_could_help,
              "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None}
    measures = []
    for i, outcome in enumerate(application.outcomes or []):
        measures.append({"metric": str(outcome.get("metric", "")), "target": str(outcome.get("target", "")),
                         "actual": actuals.get(i, "")})
    report.measures = {"items": measures}
    report.how_funder_could_help = how_funder_could_help or ""
    report.submitted_at = utcnow()
    report.submitted_by_id = user_id
    db.session.flush()
    auditlog.record("feedback.progress_report_filed", report, before=before,
                    after={"measures": report.measures, "how_funder_could_help": report.how_funder_could_help})


def applicant_emails(application) -> list[str]:
    """Whom a report's reminders and change requests go to: the team's admins and editors, who file
    reports (a viewer could not act on them)."""
    from grantflow.accounts.models import Membership, User
    from grantflow.core import roles as R

    return list(db.session.execute(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == application.organization_id, Membership.role == R.APPLICANT,
               Membership.team_role.in_(R.TEAM_EDITORS), User.active.is_(True)).order_by(User.email)
    ).scalars().all())


def send_reminders(*, days: int = REMIND_DAYS, link_for=None, now: Optional[dt.datetime] = None) -> int:
    """Mails the applicants of every unfiled check-in due within `days` days or overdue, at most
    once per report per (UTC) day; returns how many reports were reminded."""
    from grantflow.applications.models import Application
    from grantflow.core import mail
    from grantflow.feedback.models import CHECKIN, ProgressReport
    from grantflow.programs.models import Program

    now = now or utcnow()
    programs = db.session.execute(select(Program).where(Program.report_schedule.is_not(None))).scalars().all()
    for program in programs:
        if program.report_schedule:
            ensure_reports(program)
    sent = 0
    rows = db.session.execute(
        select(ProgressReport, Application, Program)
        .join(Application, Application.id == ProgressReport.application_id)
        .join(Program, Program.id == Application.program_id)
        .where(ProgressReport.submitted_at.is_(None), ProgressReport.kind == CHECKIN)
        .order_by(ProgressReport.due_on)
    ).all()
    for report, application, program in rows:
        today = to_local(now, program.timezone).date()
        if (report.due_on - today).days > days:
            continue
        if report.reminder_sent_at is not None and report.reminder_sent_at.date() >= now.date():
            continue
        emails = applicant_emails(application)
        if not emails:
            continue
        late = report.due_on < today
        link = link_for(report) if link_for else ""
        with in_language(application.applicant.language):
            when, title = format_when(report.due_on, "day"), application.title or program.title
            subject = (_("Overdue: your progress report for %(program)s", program=program.title) if late
                       else _("Reminder: your progress report for %(program)s is due %(when)s",
                              program=program.title, when=when))
            body = "\n\n".join((
                _("Hello,"),
                (_("Your progress report for “%(title)s” was due on %(when)s.", title=title, when=when) if late
                 else _("Your progress report for “%(title)s” is due on %(when)s.", title=title, when=when))
                + " " + _("It asks only for the outcome measures you committed to and how we could help or "
                          "burden you less."),
                *([_("File it here: %(url)s", url=link)] if link else []),
                _("If something makes reporting hard right now, reply and tell us."))) + "\n"
        for email in emails:
            mail.send_mail(email, subject, body, key=f"report.reminder:{report.id}:{now.date().isoformat()}:{email}",
                           event="report.reminder", funder_id=program.funder_id)
        report.reminder_sent_at = now
        sent += 1
    db.session.flush()
    return sent
