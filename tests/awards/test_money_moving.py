"""The equity audit's "money moving" figures: days from the decision to the first payment and
each group's share of the dollars paid, on the page, in the JSON, the tidy CSV and the PDF;
withheld wherever the audit withholds the group, and never recoverable from the program's figures
(the count of awards paid has its own complementary suppression)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from grantflow.awards import models as M
from grantflow.core.db import db
from grantflow.equity.exports import to_csv, to_pdf
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.builders import NOW, Spec, build_program
from tests.letters import pdfcheck

K = {"k": 5}


def _pay(app_ids, days_after, cents):
    for app_id, days in zip(app_ids, days_after):
        db.session.add(M.Instalment(application_id=app_id, amount_cents=cents, due_on=NOW.date(), status=M.PAID,
                                    paid_on=(NOW + dt.timedelta(days=days)).date(), method="ach"))
    db.session.flush()


def _csv(report, dimension, group, measure):
    [row] = [r for r in csv.DictReader(io.StringIO(to_csv(report))) if r["section"] == "money_moving"
             and (r["dimension"], r["group"], r["measure"]) == (dimension, group, measure)]
    return row


@pytest.mark.long
def test_days_to_first_payment_and_share_of_dollars_paid_by_group(any_app):
    funder = F.funder()
    specs = [Spec(poc=True, awarded=True, requested=10_000_00) for _ in range(6)] + \
            [Spec(poc=False, awarded=True, requested=10_000_00) for _ in range(6)] + \
            [Spec(poc=False) for _ in range(4)]
    prog, ids = build_program(funder, specs)
    _pay(ids[:6], [10, 20, 30, 40, 50, 60], 10_000_00)
    _pay(ids[6:11], [5, 5, 5, 50, 50], 10_000_00)  # one award of the second group not paid yet
    report = build_report(prog, overrides=K)
    mm = report["money_moving"]
    # The decisions were made at midnight UTC, the evening before in the program's New York: a day more.
    assert (mm["awards_paid"], mm["dollars_paid"], mm["median_days_to_first_payment"]) == (11, 110_000.0, 31)
    rows = {r["group"]: r for r in mm["dimensions"]["poc_led"]}
    assert rows["yes"]["awards_paid"] == 6 and rows["yes"]["median_days_to_first_payment"] == 36
    assert rows["no"]["awards_paid"] == 5 and rows["no"]["median_days_to_first_payment"] == 6
    assert abs(rows["yes"]["share_of_dollars_paid"] - 6 / 11) < 1e-9
    assert rows["yes"]["dollars_paid"] + rows["no"]["dollars_paid"] == mm["dollars_paid"]
    # The same figures in the JSON, the tidy CSV and the PDF (read back).
    assert json.loads(json.dumps(report))["money_moving"] == mm
    assert float(_csv(report, "poc_led", "yes", "median_days_to_first_payment")["value"]) == 36
    text = pdfcheck.flat(to_pdf(report))
    assert "Money moving" in text and "11 received a payment so far, $110,000 in all" in text
    assert "the median award waited 31 days" in text


def test_figures_are_withheld_where_the_audit_withholds_the_group(any_app, login):
    funder = F.funder()
    # Four POC-led organizations (fewer than k = 5), eight others, six that did not report.
    specs = [Spec(poc=True, awarded=True) for _ in range(3)] + [Spec(poc=True)] + \
            [Spec(poc=False, awarded=True) for _ in range(6)] + [Spec(poc=False) for _ in range(2)] + \
            [Spec(poc=None, awarded=True) for _ in range(2)] + [Spec(poc=None) for _ in range(4)]
    prog, ids = build_program(funder, specs)
    _pay(ids[:3] + ids[4:10] + ids[12:14], [10] * 11, 5_000_00)
    report = build_report(prog, overrides=K)
    dim = report["dimensions"]["poc_led"]
    withheld = set(dim["withheld_groups"])
    assert "yes" in withheld and "no" not in withheld
    rows = {r["group"]: r for r in report["money_moving"]["dimensions"]["poc_led"]}
    for group in withheld:  # withheld by the audit: withheld here too
        assert rows[group]["awards_paid"] is None and rows[group]["dollars_paid"] is None and rows[group]["suppressed"]
    assert rows["no"]["awards_paid"] == 6 and rows["no"]["dollars_paid"] == 30_000.0
    # The program's figures are public: no withheld count can be worked out from them.
    for dim_rows in report["money_moving"]["dimensions"].values():
        assert sum(1 for r in dim_rows if r["awards_paid"] is None) != 1
    assert report["money_moving"]["awards_paid"] == 11
    assert _csv(report, "poc_led", "yes", "awards_paid")["value"] == ""
    assert _csv(report, "poc_led", "yes", "awards_paid")["status"] == "withheld"
    officer = F.user(org=funder, role=F.ROLES.PROGRAM_OFFICER)
    db.session.commit()
    page = login(officer).get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    section = page.split('id="money-moving"', 1)[1].split("</section>", 1)[0]
    assert 'data-dimension="poc_led"' in section and "withheld" in section
