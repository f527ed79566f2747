"""Awarded applications for the awards tests, built through the real models and services."""
from __future__ import annotations

import datetime as dt

from grantflow.awards import schedules
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.feedback.models import ProgressReport
from tests import factories


def award(application, cents: int, *, released: bool = True) -> Decision:
    d = Decision(application_id=application.id, program_id=application.program_id, outcome="award",
                 amount_cents=cents)
    application.status = "awarded"
    db.session.add(d)
    db.session.flush()
    if released:  # through the real release, a day ago
        factories.release(application.program, ago=dt.timedelta(days=1))
    return d


def report(application, kind: str = "interim", due_on: dt.date = dt.date(2026, 6, 30)) -> ProgressReport:
    r = ProgressReport(application_id=application.id, kind=kind, due_on=due_on, measures={})
    db.session.add(r)
    db.session.flush()
    return r


def file(report_: ProgressReport, user, *, at: dt.datetime | None = None) -> None:
    """The grantee files the report (through the check-ins service the report page uses)."""
    from grantflow.feedback import checkins

    checkins.file_report(report_, actuals={0: "31"}, how_funder_could_help="", user_id=user.id)
    if at is not None:
        report_.submitted_at = at
    db.session.flush()


def schedule(application, *rows: tuple[int, dt.date] | tuple[int, dt.date, str, int | None]):
    """Sets the schedule from (cents, due_on[, condition, report_id]) tuples."""
    return schedules.set_schedule(application, [schedules.Row(r[0], r[1], *(r[2:] or ())) for r in rows])


def pay(instalment, on: dt.date = dt.date(2026, 3, 1), reference: str = "ACH-1") -> None:
    schedules.record_payment(instalment, paid_on=on, method="ach", reference=reference)
