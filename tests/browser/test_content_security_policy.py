"""The strict Content-Security-Policy keeps every key page working in Chromium: no violation is
reported on the console (or as a `securitypolicyviolation` event) while the pages load and their
scripts run (autosave, the audit's charts). A control shows an inline script is caught."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import CspViolations, log_in
from tests.equity.builders import Spec, build_program

pytestmark = pytest.mark.browser


def test_key_pages_report_no_policy_violation(page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        F.need(funder, "Safe, stable housing", 1)
        F.place(funder, "36061000100", name="Central Harlem North", is_priority=True)
        F.program(funder, slug="healthy-homes", title="Healthy Homes 2026")
        cbo = F.cbo(name="Eastside Tenants Union", slug="eastside")
        F.user("dana@eastside.org", "Dana Rivera", org=cbo, role=R.APPLICANT)
        specs = [Spec(poc=i % 2 == 0, awarded=i % 3 == 0, reviews={"Rae": [3, 2 + i % 2, 4]}) for i in range(30)]
        build_program(funder, specs, slug="health-2025", title="Community Health 2025")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        F.user("ada@riverside.org", "Ada Admin", org=funder, role=R.FUNDER_ADMIN)
        db.session.commit()
    base = live_server.url
    seen = CspViolations(page)
    for path in ("/", "/opportunities", "/login", "/register", "/reset", "/verify", "/programs/healthy-homes",
                 "/nowhere"):
        page.goto(base + path)
        seen.check()

    log_in(page, base, "dana@eastside.org")
    for path in ("/dashboard", "/organizations/eastside/profile", "/organizations/eastside/demographics",
                 "/organizations/eastside/practices", "/organizations/eastside/networks", "/account"):
        page.goto(base + path)
        seen.check()
    page.goto(base + "/programs/healthy-homes")
    page.get_by_role("button", name=re.compile("Start an application")).click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit$"))
    page.get_by_label("Project title").fill("Healthy homes in Harlem")
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Saved at"), timeout=10_000)  # autosave ran
    page.get_by_role("button", name="Add a budget line").click()
    seen.check()

    page.context.clear_cookies()
    log_in(page, base, "po@riverside.org")
    for path in ("/dashboard", "/programs/health-2025/manage", "/programs/health-2025/audit",
                 "/programs/health-2025/board", "/programs/health-2025/letters", "/funders/riverside/chna"):
        page.goto(base + path)
        seen.check()

    page.context.clear_cookies()
    log_in(page, base, "ada@riverside.org")
    for path in ("/funders/riverside/people", "/funders/riverside/messages", "/account"):
        assert page.goto(base + path).status == 200, path
        seen.check()

    # Control: an inline script added to a page is refused, and the check sees it.
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.ran = 1";
                             document.body.appendChild(s); }""")
    assert page.evaluate("window.ran") is None
    with pytest.raises(AssertionError, match="script-src"):
        seen.check()
