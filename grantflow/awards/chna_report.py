"""The CHNA implementation report: for each need of the funder's Community Health Needs Assessment
and a year, the awards that address it, the dollars paid to them that year, the organizations and
places reached and the outcomes the grantees reported — what a hospital's implementation strategy
update says about each significant need.

Dollars are the payments made in the year (cash basis, as on Schedule H). An award that names
several needs has its payments split evenly between them, in cents, the cents that do not divide
going one each to its highest-ranked needs, so the needs' dollars add up to the payments made; an
award that names none is listed under "No CHNA need named". Outcomes are the measures of the
award's progress reports filed that year (target and value reached).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grantflow.applications.models import Application, application_needs, application_places
from grantflow.awards import models as M
from grantflow.chna.models import Place, PriorityNeed
from grantflow.core.db import db
from grantflow.core.timeutil import to_local
from grantflow.feedback.models import ProgressReport
from grantflow.programs.models import Program

NO_NEED = "No CHNA need named"


@dataclass
class AwardEntry:
    application_id: int
    organization: str
    program: str
    title: str
    paid_cents: int          # the share of this year's payments attributed to the need
    places: list[str]
    outcomes: list[dict]     # {"metric", "target", "actual", "report"}


@dataclass
class NeedEntry:
    need_id: int | None
    name: str
    rank: int | None
    awards: list[AwardEntry] = field(default_factory=list)

    @property
    def paid_cents(self) -> int:
        return sum(a.paid_cents for a in self.awards)

    @property
    def organizations(self) -> list[str]:
        return sorted({a.organization for a in self.awards})

    @property
    def places(self) -> list[str]:
        return sorted({p for a in self.awards for p in a.places})


@dataclass
class Report:
    funder: object
    year: int
    needs: list[NeedEntry]

    @property
    def paid_cents(self) -> int:
        return sum(n.paid_cents for n in self.needs)


def split_cents(total: int, parts: int) -> list[int]:
    share, rest = divmod(total, parts)
    return [share + (1 if k < rest else 0) for k in range(parts)]


def build(funder, year: int) -> Report:
    """The report of `funder` for `year`, in a fixed number of queries."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    paid = dict(db.session.execute(
        select(M.Instalment.application_id, func.sum(M.Instalment.amount_cents))
        .join(Application, Application.id == M.Instalment.application_id)
        .join(Program, Program.id == Application.program_id)
        .where(Program.funder_id == funder.id, M.Instalment.status == M.PAID,
               M.Instalment.paid_on >= start, M.Instalment.paid_on <= end)
        .group_by(M.Instalment.application_id)).all())
    app_ids = sorted(paid)
    needs = list(db.session.execute(select(PriorityNeed).where(PriorityNeed.funder_id == funder.id)
                                    .order_by(PriorityNeed.rank, PriorityNeed.id)).scalars())
    entries = {n.id: NeedEntry(n.id, n.name, n.rank) for n in needs}
    entries[None] = NeedEntry(None, NO_NEED, None)
    order = {n.id: k for k, n in enumerate(needs)}
    apps = {a.id: a for a in db.session.execute(
        select(Application).where(Application.id.in_(app_ids or [-1]))
        .options(selectinload(Application.organization), selectinload(Application.on_behalf_of),
                 selectinload(Application.program))).scalars()}
    need_of: dict[int, list[int]] = defaultdict(list)
    for app_id, need_id in db.session.execute(select(application_needs.c.application_id, application_needs.c.need_id)
                                              .where(application_needs.c.application_id.in_(app_ids or [-1]))):
        if need_id in order:
            need_of[app_id].append(need_id)
    places: dict[int, list[str]] = defaultdict(list)
    for app_id, name in db.session.execute(
            select(application_places.c.application_id, Place.name).join(Place, Place.id == application_places.c.place_id)
            .where(application_places.c.application_id.in_(app_ids or [-1])).order_by(Place.name)):
        places[app_id].append(name)
    outcomes: dict[int, list[dict]] = defaultdict(list)
    for report in db.session.execute(select(ProgressReport).where(
            ProgressReport.application_id.in_(app_ids or [-1]), ProgressReport.submitted_at.is_not(None))
            .order_by(ProgressReport.due_on, ProgressReport.id)).scalars():
        program = apps[report.application_id].program
        if to_local(report.submitted_at, program.timezone).year != year:
            continue
        for m in (report.measures or {}).get("items", []):
            outcomes[report.application_id].append({"metric": m.get("metric", ""), "target": m.get("target", ""),
                                                    "actual": m.get("actual", ""),
                                                    "report": f"{report.due_on:%B %-d, %Y}"})
    for app_id in app_ids:
        a = apps[app_id]
        targets = sorted(need_of.get(app_id, []), key=order.get) or [None]
        for need_id, cents in zip(targets, split_cents(int(paid[app_id]), len(targets))):
            entries[need_id].awards.append(AwardEntry(app_id, a.applicant.name, a.program.title, a.title or "",
                                                      cents, places.get(app_id, []), outcomes.get(app_id, [])))
    shown = [entries[n.id] for n in needs] + ([entries[None]] if entries[None].awards else [])
    return Report(funder, year, shown)


def to_pdf(report: Report) -> bytes:
    from flask import render_template

    from grantflow.core.pdf import render_pdf

    html = render_template("awards/chna_report_pdf.html", report=report)
    title = f"CHNA implementation report {report.year} — {report.funder.name}"
    return render_pdf(html, title=title, author=report.funder.name,
                      subject=f"Grants, dollars paid and outcomes by community health need, {report.year}")
