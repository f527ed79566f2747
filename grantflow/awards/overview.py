"""What is due, late or on hold: across a funder's programs for its officers, and for a grantee's
organizations on their dashboard. Each is loaded in a fixed number of queries."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.awards.reports import AWAITING, CHANGES, ReportLine, reports_for
from grantflow.awards.schedules import Line, Schedule, schedules_for
from grantflow.core.db import db, utcnow
from grantflow.decisions.models import AWARD, Decision
from grantflow.feedback.checkins import today_for
from grantflow.feedback.models import CHECKIN
from grantflow.programs.models import Program

UPCOMING_DAYS = 45


@dataclass
class Item:
    application: Application
    line: Line | ReportLine


@dataclass
class Overview:
    due: list[Item] = field(default_factory=list)          # payments that can be made now
    upcoming: list[Item] = field(default_factory=list)     # payments due within UPCOMING_DAYS
    on_hold: list[Item] = field(default_factory=list)
    waiting: list[Item] = field(default_factory=list)      # date reached, condition not met
    out_of_step: list[tuple[Application, Schedule]] = field(default_factory=list)
    no_schedule: list[Application] = field(default_factory=list)
    late_reports: list[Item] = field(default_factory=list)
    to_review: list[Item] = field(default_factory=list)
    upcoming_reports: list[Item] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    schedules: dict[int, Schedule] = field(default_factory=dict)


def _awarded(where, *, released_only: bool) -> list[Application]:
    q = (select(Application).join(Decision, Decision.application_id == Application.id)
         .join(Program, Program.id == Application.program_id)
         .where(Decision.outcome == AWARD, where)
         .options(selectinload(Application.organization), selectinload(Application.on_behalf_of),
                  selectinload(Application.program))
         .order_by(Program.title, Application.id))
    if released_only:
        q = q.where(Decision.released_at.is_not(None), Decision.released_at <= utcnow())
    return list(db.session.execute(q).scalars())


def build(applications: list[Application]) -> Overview:
    schedules = schedules_for(applications)
    reports = reports_for(applications)
    out = Overview(applications=applications, schedules=schedules)
    for a in applications:
        today = today_for(a.program)
        soon = today + dt.timedelta(days=UPCOMING_DAYS)
        s = schedules[a.id]
        if not s.exists:
            out.no_schedule.append(a)
        elif s.problem:
            out.out_of_step.append((a, s))
        for line in s.lines:
            item = Item(a, line)
            if line.status == M.DUE:
                out.due.append(item)
            elif line.status == M.ON_HOLD:
                out.on_hold.append(item)
            elif line.status == M.SCHEDULED and line.instalment.due_on <= today:
                out.waiting.append(item)
            elif line.status == M.SCHEDULED and line.instalment.due_on <= soon:
                out.upcoming.append(item)
        for r in reports[a.id]:
            item = Item(a, r)
            if r.state in ("overdue", CHANGES):
                out.late_reports.append(item)
            elif r.state == AWAITING and r.report.kind != CHECKIN:
                out.to_review.append(item)
            elif r.state in ("due soon", "upcoming") and r.report.due_on <= soon:
                out.upcoming_reports.append(item)
    key = lambda item: (item.line.instalment.due_on if isinstance(item.line, Line) else item.line.report.due_on)  # noqa: E731
    for name in ("due", "upcoming", "on_hold", "waiting", "late_reports", "to_review", "upcoming_reports"):
        getattr(out, name).sort(key=key)
    return out


def for_funder(funder_id: int) -> Overview:
    return build(_awarded(Program.funder_id == funder_id, released_only=False))


def for_organizations(org_ids: list[int]) -> Overview:
    """The grantee's released awards: their upcoming payments and reports."""
    return build(_awarded(Application.organization_id.in_(org_ids or [-1]), released_only=True))
