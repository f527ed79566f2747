"""After the award, in Chromium with axe-core: the grantee's dashboard shows the payments and
reports to come; the officer records a payment from the program's payments page (a missing date
is answered at the field, what was typed kept) and the award page shows it."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from grantflow.awards import models as M
from grantflow.core.db import db
from tests.awards.builders import award, report, schedule
from tests.browser.conftest import CspViolations, assert_accessible, log_in, see
from tests.conftest import build_world

pytestmark = pytest.mark.browser
D = dt.date


def _seed(app):
    with app.app_context():
        w = build_world()
        award(w.application, 40_000_00)
        interim = report(w.application, "interim", D(2026, 6, 30))
        schedule(w.application, (20_000_00, D(2026, 1, 15)),
                 (20_000_00, D(2026, 7, 15), M.REPORT_ACCEPTED, interim.id))
        db.session.commit()
        return w.users["applicant"].email, w.users["program_officer"].email, w.application.id


def test_grantee_dashboard_and_officer_payments(page, live_server):
    grantee, officer, app_id = _seed(live_server.app)
    csp = CspViolations(page)
    log_in(page, live_server.url, grantee)
    payments = page.locator("#grantee-payments")
    assert "$20,000.00" in payments.inner_text() and "after the interim report due June 30, 2026 is accepted" in payments.inner_text()
    assert "Interim report due June 30, 2026" in page.locator("#grantee-reports").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/programs/health-2026/payments")
    expect(page.get_by_role("heading", name="Payments: Community Health 2026")).to_be_visible()
    assert_accessible(page)
    page.locator("#payments-due").get_by_role("link", name="Eastside Tenants Union").click()
    page.wait_for_url("**/instalments/*")
    assert_accessible(page)
    page.get_by_label("Date paid").fill("")
    page.get_by_label("How it was paid").select_option("check")
    page.get_by_label("Reference").fill("Check 1207")
    page.get_by_role("button", name="Record the payment").click()
    assert "Enter the date the payment was made" in page.locator("#pay-paid_on-error").inner_text()
    assert page.get_by_label("Reference").input_value() == "Check 1207"
    assert_accessible(page)
    page.get_by_label("Date paid").fill("2026-01-16")
    page.get_by_role("button", name="Record the payment").click()
    page.wait_for_url(f"**/applications/{app_id}/award")
    see(page, "Payment recorded by Pat Officer")
    assert_accessible(page)
    page.goto(f"{live_server.url}/funders/riverside/payments")
    assert_accessible(page)
    csp.check()
