"""The equity audit's "money moving" figures: days from the decision to the first payment and
each group's share of the dollars paid, withheld exactly where the audit withholds the group's
awards, and never with a single withheld count of awards paid."""
from __future__ import annotations

import datetime as dt
import json

from grantflow.awards import models as M
from grantflow.core.db import db
from grantflow.equity.exports import to_csv, to_pdf
from grantflow.equity.report import build_report
from tests import factories as F
from tests.equity.builders import NOW, Spec, build_program
from tests.letters import pdfcheck


def _pay(app_ids, days_after, cents):
    for app_id, days in zip(app_ids, days_after):
        db.session.add(M.Instalment(application_id=app_id, amount_cents=cents, due_on=NOW.date(), status=M.PAID,
                                    paid_on=(NOW + dt.timedelta(days=days)).date(), method="ach"))
    db.session.flush()


def test_days_to_first_payment_and_share_of_dollars_paid_by_group(any_app):
    funder = F.funder()
    specs = [Spec(poc=True, awarded=True, requested=10_000_00) for _ in range(4)] + \
            [Spec(poc=False, awarded=True, requested=10_000_00) for _ in range(4)] + \
            [Spec(poc=False) for _ in range(4)]
    prog, ids = build_program(funder, specs)
    _pay(ids[:4], [10, 20, 30, 40], 10_000_00)
    _pay(ids[4:7], [5, 5, 50], 10_000_00)  # one award of the second group not paid yet
    report = build_report(prog, overrides={"SUPPRESSION_K": 3})
    mm = report["money_moving"]
    # The decisions were made at midnight UTC, the evening before in the program's New York: a day more.
    assert (mm["awards_paid"], mm["dollars_paid"], mm["median_days_to_first_payment"]) == (7, 70_000.0, 21)
    rows = {r["group"]: r for r in mm["dimensions"]["poc_led"]}
    assert rows["yes"]["awards_paid"] == 4 and rows["yes"]["median_days_to_first_payment"] == 26
    assert rows["no"]["awards_paid"] == 3 and rows["no"]["median_days_to_first_payment"] == 6
    assert abs(rows["yes"]["share_of_dollars_paid"] - 4 / 7) < 1e-9
    assert rows["yes"]["dollars_paid"] + rows["no"]["dollars_paid"] == mm["dollars_paid"]
    # The same figures in the JSON and CSV downloads.
    assert json.loads(json.dumps(report))["money_moving"] == mm
    assert "money_moving,poc_led,yes,,median_days_to_first_payment,26" in to_csv(report)
    # And in the PDF, read back.
    text = pdfcheck.flat(to_pdf(report))
    assert "Money moving" in text and "7 received a payment so far, $70,000 in all" in text
    assert "the median award waited 21 days" in text


def test_figures_are_withheld_where_the_audit_withholds_the_groups_awards(any_app, login):
    funder = F.funder()
    # Two awards to POC-led organizations (a small cell at k = 3), five to others.
    specs = [Spec(poc=True, awarded=True) for _ in range(2)] + [Spec(poc=False, awarded=True) for _ in range(5)] + \
            [Spec(poc=True) for _ in range(4)] + [Spec(poc=False) for _ in range(4)]
    prog, ids = build_program(funder, specs)
    _pay(ids[:7], [10] * 7, 5_000_00)
    report = build_report(prog, overrides={"SUPPRESSION_K": 3})
    audit_rows = {g["group"]: g for g in report["dimensions"]["poc_led"]["groups"]}
    rows = {r["group"]: r for r in report["money_moving"]["dimensions"]["poc_led"]}
    for group, row in rows.items():
        if audit_rows[group]["awards"] is None:  # withheld by the audit: withheld here too
            assert row["dollars_paid"] is None and row["share_of_dollars_paid"] is None and row["suppressed"]
    assert rows["yes"]["awards_paid"] is None and rows["yes"]["dollars_paid"] is None
    # Never exactly one count withheld: the total paid minus the visible counts would give it away.
    assert sum(r["awards_paid"] is None for r in rows.values() if r["group"] in audit_rows) != 1
    for dim_rows in report["money_moving"]["dimensions"].values():
        assert sum(1 for r in dim_rows if r["awards_paid"] is None) != 1
    assert "Insufficient sample" in to_csv(report).split("money_moving,poc_led,yes", 1)[1].splitlines()[0]
    officer = F.user(org=funder, role=F.ROLES.PROGRAM_OFFICER)
    db.session.commit()
    page = login(officer).get(f"/programs/{prog.slug}/audit").get_data(as_text=True)
    section = page.split('id="money-moving"', 1)[1].split("</section>", 1)[0]
    assert 'data-dimension="poc_led"' in section and "Insufficient sample" in section
