"""A program's payments as rows: one per instalment, for the CSV (grantflow/core/csvfile.py) and
the XLSX (XlsxWriter) downloads and `grantflow payments`.

XlsxWriter writes each cell with its own type: text is always written as text (never a formula,
whatever it starts with), amounts as numbers in a currency format, dates as dates.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.applications.models import Application
from grantflow.awards import models as M
from grantflow.awards.schedules import schedules_for
from grantflow.core import csvfile
from grantflow.core.db import db
from grantflow.core.money import cents_to_dollars
from grantflow.decisions.models import AWARD, Decision
from grantflow.programs.models import Program

HEADER = ("application_id", "organization", "instalment", "due_date", "amount", "status", "condition",
          "condition_met", "paid_date", "method", "reference", "reason", "award_amount", "schedule_adds_up")
MONEY_COLUMNS = (HEADER.index("amount"), HEADER.index("award_amount"))
METHOD_LABELS = dict(M.METHODS)


def awarded_applications(program: Program) -> list[Application]:
    return list(db.session.execute(
        select(Application).join(Decision, Decision.application_id == Application.id)
        .where(Application.program_id == program.id, Decision.outcome == AWARD)
        .options(selectinload(Application.organization), selectinload(Application.on_behalf_of))
        .order_by(Application.id)).scalars())


def payment_rows(program: Program) -> list[tuple[Any, ...]]:
    """Plain values (ints, Decimals, dates, text) in HEADER's order, by application then due date.

    An application that had instalments but is no longer an award still lists them (its schedule
    does not add up to the 0 it is now owed)."""
    apps = awarded_applications(program)
    with_rows = set(db.session.execute(select(M.Instalment.application_id).join(
        Application, Application.id == M.Instalment.application_id).where(Application.program_id == program.id)).scalars())
    extra = sorted(with_rows - {a.id for a in apps})
    if extra:
        apps += list(db.session.execute(select(Application).where(Application.id.in_(extra))
                                        .options(selectinload(Application.organization))).scalars())
    schedules = schedules_for(apps)
    rows = []
    for a in sorted(apps, key=lambda a: a.id):
        s = schedules[a.id]
        for line in s.lines:
            i = line.instalment
            rows.append((a.id, a.applicant.name, f"{line.number} of {len(s.lines)}", i.due_on,
                         cents_to_dollars(i.amount_cents), line.status_label,
                         line.condition_text, ("yes" if line.condition_met else "no") if line.condition_text else "",
                         i.paid_on, METHOD_LABELS.get(i.method or "", ""), i.reference or "", i.reason or "",
                         cents_to_dollars(s.award_cents), "yes" if s.in_step else "no"))
    return rows


def _text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def to_csv(program: Program) -> str:
    return csvfile.to_text([HEADER] + [[_text(v) for v in row] for row in payment_rows(program)],
                           lineterminator="\n")


def to_xlsx(program: Program) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    sheet = book.add_worksheet("Payments")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "$#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER, bold)
    for r, row in enumerate(payment_rows(program), 1):
        for c, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(r, c, None)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif c in MONEY_COLUMNS:
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 12, 14)
    book.close()
    return buf.getvalue()


FORMATS = {"csv": ("text/csv; charset=utf-8", to_csv),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)}
