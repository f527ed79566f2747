"""IRS Form 990 Schedule H classes of an award's payments, and their totals for a tax year.

A nonprofit hospital reports its community-benefit spending on Schedule H every year. Grants to
community groups are "cash and in-kind contributions for community benefit" (Part I, line 7),
unless the hospital counts them among its community-building activities (Part II, one line per
category). Each program carries a class (`ProgramAwardTerms.schedule_h`, default Part I) and an
award may override it (`AwardTerms.schedule_h`). Totals count the payments *made* in the tax year
(cash basis: `Instalment.paid_on`), whatever year they were awarded or due.

CATEGORIES is the one table of the form's lines and labels, checked against the Schedule H
instructions as the American Hospital Association's Schedule H guide reproduces them (Part I line
7i, Worksheet 8; Part II lines 1 to 9), not against the IRS's own page (docs/domain.md, "Schedule
H"): when the form changes, change this table (a key stored in the database must keep its meaning;
add a key rather than reuse one).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.core.db import db
from grantflow.programs.models import Program

# (key, where it goes on the form, the form's words)
CATEGORIES = (
    ("part1_7i", _l("Part I, line 7i"), _l("Cash and in-kind contributions for community benefit")),
    ("part2_1", _l("Part II, line 1"), _l("Physical improvements and housing")),
    ("part2_2", _l("Part II, line 2"), _l("Economic development")),
    ("part2_3", _l("Part II, line 3"), _l("Community support")),
    ("part2_4", _l("Part II, line 4"), _l("Environmental improvements")),
    ("part2_5", _l("Part II, line 5"), _l("Leadership development and training for community members")),
    ("part2_6", _l("Part II, line 6"), _l("Coalition building")),
    ("part2_7", _l("Part II, line 7"), _l("Community health improvement advocacy")),
    ("part2_8", _l("Part II, line 8"), _l("Workforce development")),
    ("part2_9", _l("Part II, line 9"), _l("Other")),
)
DEFAULT = "part1_7i"
KEYS = tuple(k for k, _, _ in CATEGORIES)
LABELS = {k: _l("%(line)s: %(words)s", line=line, words=words) for k, line, words in CATEGORIES}


def choices() -> list[tuple[str, str]]:
    return [(k, LABELS[k]) for k in KEYS]


def program_class(program_id: int) -> str:
    terms = db.session.get(M.ProgramAwardTerms, program_id)
    return (terms.schedule_h if terms is not None else None) or DEFAULT


def award_class(application: Application) -> tuple[str, bool]:
    """The award's class and whether it is the award's own (not the program's)."""
    terms = db.session.get(M.AwardTerms, application.id)
    if terms is not None and terms.schedule_h:
        return terms.schedule_h, True
    return program_class(application.program_id), False


def _check(key: str | None) -> None:
    from grantflow.awards.errors import AwardError

    if key not in KEYS:
        raise AwardError({"schedule_h": _("Choose a line of Schedule H from the list.")})


def set_program_class(program: Program, key: str | None, *, actor_id: int | None = None) -> None:
    from grantflow.core import auditlog

    _check(key)
    terms = db.session.get(M.ProgramAwardTerms, program.id) or M.ProgramAwardTerms(program_id=program.id)
    db.session.add(terms)
    before = terms.schedule_h
    terms.schedule_h = key
    db.session.flush()
    auditlog.record("awards.schedule_h_set", program, before={"schedule_h": before}, after={"schedule_h": key},
                    actor_id=actor_id)


def set_award_class(application: Application, key: str | None, *, actor_id: int | None = None) -> None:
    """The award's own class; "" or None goes back to the program's."""
    from grantflow.awards.schedules import terms_of
    from grantflow.core import auditlog

    if key:
        _check(key)
    terms = terms_of(application.id)
    before = terms.schedule_h
    terms.schedule_h = key or None
    db.session.flush()
    auditlog.record("awards.schedule_h_set", object_type="Application", object_id=application.id,
                    before={"schedule_h": before}, after={"schedule_h": terms.schedule_h}, actor_id=actor_id)


def _class_column():
    return func.coalesce(M.AwardTerms.schedule_h, M.ProgramAwardTerms.schedule_h, DEFAULT)


def _paid_in(funder_id: int, year: int):
    return (select(M.Instalment, Application, Program, _class_column().label("category"))
            .join(Application, Application.id == M.Instalment.application_id)
            .join(Program, Program.id == Application.program_id)
            .outerjoin(M.AwardTerms, M.AwardTerms.application_id == Application.id)
            .outerjoin(M.ProgramAwardTerms, M.ProgramAwardTerms.program_id == Program.id)
            .where(Program.funder_id == funder_id, M.Instalment.status == M.PAID,
                   M.Instalment.paid_on >= dt.date(year, 1, 1), M.Instalment.paid_on <= dt.date(year, 12, 31)))


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    cents: int
    payments: int


def totals(funder_id: int, year: int) -> list[Total]:
    """Every line of the table, in the form's order, with the payments made in `year` (zeros too)."""
    sub = _paid_in(funder_id, year).subquery()
    found = {row.category: (int(row.cents), int(row.n)) for row in db.session.execute(
        select(sub.c.category, func.sum(sub.c.amount_cents).label("cents"), func.count().label("n"))
        .group_by(sub.c.category))}
    return [Total(k, LABELS[k], *found.get(k, (0, 0))) for k in KEYS] + [
        Total(k, f"Unknown class {k!r}", *v) for k, v in sorted(found.items()) if k not in LABELS]


def payments(funder_id: int, year: int, key: str) -> list[tuple[M.Instalment, Application, Program]]:
    """The payments behind one line's total, by date."""
    from sqlalchemy.orm import selectinload

    rows = db.session.execute(_paid_in(funder_id, year).where(_class_column() == key)
                              .options(selectinload(Application.organization), selectinload(Application.on_behalf_of))
                              .order_by(M.Instalment.paid_on, M.Instalment.id)).all()
    return [(i, a, p) for i, a, p, _ in rows]


def csv_rows(funder_id: int, year: int) -> list[tuple[str, str]]:
    """`category,dollars` rows for the CSV (the form's words with its line, dollars with cents)."""
    from grantflow.core.money import cents_to_dollars

    return [("category", "dollars")] + [(t.label, str(cents_to_dollars(t.cents))) for t in totals(funder_id, year)]
