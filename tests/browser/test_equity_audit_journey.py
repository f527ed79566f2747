"""The equity audit page (issue 8) in Chromium: reached from the program hub, readable with axe-core's checks, and
its charts announced by their titles."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in
from tests.equity.builders import Spec, build_program

pytestmark = pytest.mark.browser


def test_program_officer_reads_the_audit_and_downloads_it(page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        specs = [Spec(poc=i % 2 == 0, awarded=i % 5 < (1 if i % 2 == 0 else 3),
                      reviews={"Rae": [3, 3 + i % 2, 4]}) for i in range(120)] + [Spec(poc=None) for _ in range(4)]
        build_program(funder, specs, slug="health-2026", title="Community Health 2026")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        db.session.commit()

    log_in(page, live_server.url, "po@riverside.org")
    page.goto(live_server.url + "/programs/health-2026/manage")
    page.get_by_role("link", name="Equity audit").click()
    page.wait_for_url("**/programs/health-2026/audit")
    expect(page.get_by_role("heading", name="Findings")).to_be_visible()
    assert page.get_by_role("img", name="Award rate by group: Led by people of color").count() == 1
    assert page.locator(".withheld").count() > 0  # the 4 not reported, and their complement
    assert page.get_by_role("heading", name="What this audit found, and what to do next").is_visible()
    assert_accessible(page)
    # k below 5 is refused at the field, what was typed kept; 12 is saved and stated.
    k = page.get_by_label("Smallest identity group shown (k)")
    k.fill("4")
    page.get_by_role("button", name="Save k").click()
    assert page.get_by_text("k cannot be below 5").is_visible() and k.input_value() == "4"
    k.fill("12")
    page.get_by_role("button", name="Save k").click()
    page.wait_for_url("**/programs/health-2026/audit#settings")
    assert page.get_by_text("k = 12").first.is_visible()
    with page.expect_download() as dl:
        page.get_by_role("link", name="CSV").click()
    assert dl.value.suggested_filename == "health-2026-equity-audit.csv"
