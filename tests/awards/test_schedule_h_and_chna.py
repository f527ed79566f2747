"""Schedule H totals are the payments made in the tax year, by the program's class or the award's
own; the CHNA implementation report's needs add up to the payments, split evenly between the
needs an award names, in its page and in its PDF (read back)."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

from grantflow.awards import chna_report, scheduleh, schedules
from grantflow.core.db import db
from grantflow.core.money import format_money
from tests import factories as F
from tests.awards.builders import award, file, pay, report, schedule
from tests.letters import pdfcheck

D = dt.date


@pytest.fixture
def paid(world):
    """Payments around the turn of 2026 and 2027, one award with its own Schedule H line."""
    w = world
    housing = F.need(w.funder, "Housing stability", 1)
    food = F.need(w.funder, "Healthy food", 2)
    F.need(w.funder, "Behavioral health", 3)
    tract = F.place(w.funder, "36061000100", name="Tract 1, New York County")
    w.application.needs = [housing, food]
    w.application.places = [tract]
    w.other_application.needs = [food]
    w.application.outcomes = [{"metric": "Households housed", "target": "40"}]
    third = F.application(w.program, F.cbo(name="Westside Youth Collective"))  # names no need
    for a, cents in ((w.application, 60_000_01), (w.other_application, 20_000_00), (third, 5_000_00)):
        award(a, cents)
    a1, a2, a3 = schedule(w.application, (20_000_00, D(2025, 12, 1)), (20_000_01, D(2026, 6, 1)), (20_000_00, D(2026, 12, 1)))
    pay(a1, D(2025, 12, 31))          # tax year 2025
    pay(a2, D(2026, 1, 1))            # 2026
    pay(a3, D(2026, 11, 30))          # 2026
    b1, b2 = schedule(w.other_application, (10_000_00, D(2026, 3, 1)), (10_000_00, D(2026, 9, 1)))
    pay(b1, D(2026, 3, 2))            # 2026, the program's default line
    schedules.hold(b2, reason="Waiting.")  # not paid: never counted
    [c1] = schedule(third, (5_000_00, D(2026, 5, 1)))
    pay(c1, D(2026, 5, 1))
    scheduleh.set_award_class(third, "part2_1")
    scheduleh.set_program_class(w.program, "part2_3")
    r = report(w.application, "interim", D(2026, 6, 30))
    file(r, w.users["applicant"])
    db.session.commit()
    w.third = third
    return w


def test_schedule_h_totals_are_the_payments_made_in_the_year(any_app, paid):
    w = paid
    totals = {t.key: t.cents for t in scheduleh.totals(w.funder.id, 2026)}
    assert totals["part2_3"] == 20_000_01 + 20_000_00 + 10_000_00  # the program's class
    assert totals["part2_1"] == 5_000_00                          # the award's own
    assert sum(totals.values()) == 55_000_01
    assert sum(t.cents for t in scheduleh.totals(w.funder.id, 2025)) == 20_000_00
    assert sum(t.cents for t in scheduleh.totals(w.other_funder.id, 2026)) == 0
    assert [t.key for t in scheduleh.totals(w.funder.id, 2026)] == list(scheduleh.KEYS)  # every line, in order


def test_schedule_h_command_page_and_drill_down(app, paid, login):
    w = paid
    out = app.instance_path + "/s.csv"
    result = app.test_cli_runner().invoke(args=["schedule-h", "riverside", "--year", "2026", "-o", out])
    assert result.exit_code == 0, result.output
    assert "$55,000.01 paid in 2026" in result.output
    rows = list(csv.reader(open(out, encoding="utf-8")))
    assert rows[0] == ["category", "dollars"]
    assert dict(rows[1:])["Part II, line 3: Community support"] == "50000.01"
    assert sum(float(d) for _, d in rows[1:]) == pytest.approx(55_000.01)
    assert app.test_cli_runner().invoke(args=["schedule-h", "nobody", "-o", out]).exit_code == 2

    officer = login(w.users["program_officer"])
    page = officer.get("/funders/riverside/schedule-h?year=2026").get_data(as_text=True)
    assert 'id="schedule-h-total">$55,000.01' in page
    drill = officer.get("/funders/riverside/schedule-h/part2_3?year=2026").get_data(as_text=True)
    assert drill.count("<tr><td>") == 3 and "$50,000.01" in drill
    assert officer.get("/funders/riverside/schedule-h.csv?year=2026").get_data(as_text=True).splitlines()[0] == "category,dollars"
    bad = officer.get("/funders/riverside/schedule-h?year=20x6")
    assert bad.status_code == 422 and "Enter a whole number, like 2026." in bad.get_data(as_text=True)
    assert officer.get("/funders/riverside/schedule-h?year=99999").status_code == 422
    assert officer.get("/funders/riverside/schedule-h/part9_99").status_code == 404


def test_the_chna_report_adds_up_to_the_payments_by_need(any_app, paid):
    w = paid
    report_ = chna_report.build(w.funder, 2026)
    by_need = {n.name: n.paid_cents for n in report_.needs}
    # Eastside's $40,000.01 of 2026 splits between housing (rank 1, gets the odd cent) and food.
    assert by_need == {"Housing stability": 20_000_01, "Healthy food": 20_000_00 + 10_000_00,
                       "Behavioral health": 0, chna_report.NO_NEED: 5_000_00}
    assert report_.paid_cents == sum(t.cents for t in scheduleh.totals(w.funder.id, 2026))
    housing = report_.needs[0]
    assert housing.organizations == ["Eastside Tenants Union"] and housing.places == ["Tract 1, New York County"]
    assert housing.awards[0].outcomes == [{"metric": "Households housed", "target": "40", "actual": "31",
                                           "report": "June 30, 2026"}]


def test_the_chna_report_page_and_pdf(app, paid, login):
    officer = login(paid.users["program_officer"])
    page = officer.get("/funders/riverside/chna-report?year=2026")
    assert page.status_code == 200 and 'id="chna-total">$55,000.01' in page.get_data(as_text=True)
    r = officer.get("/funders/riverside/chna-report.pdf?year=2026")
    assert r.mimetype == "application/pdf"
    text = pdfcheck.flat(r.data)
    assert "CHNA implementation report, 2026" in text
    for name, cents in (("Housing stability", 20_000_01), ("Healthy food", 30_000_00), ("Behavioral health", 0)):
        assert f"{name} {format_money(cents)} paid" in text
    assert "$55,000.01" in text and "Households housed: 31 (target 40)" in text
    info = pdfcheck.info(r.data)
    assert info["tagged"] and info["lang"] == "en" and info["author"] == "Riverside Health Foundation"
    assert officer.get("/funders/riverside/chna-report.pdf?year=abc").status_code == 422


def test_the_chna_command_writes_the_pdf(app, paid):
    out = app.instance_path + "/chna.pdf"
    result = app.test_cli_runner().invoke(args=["chna-report", "riverside", "--year", "2026", "-o", out])
    assert result.exit_code == 0, result.output
    assert "1. Housing stability" in pdfcheck.flat(open(out, "rb").read())
