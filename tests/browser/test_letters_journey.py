"""A program officer edits the award wording, previews, and issues every letter as a batch whose
progress bar fills in the page while a real `grantflow worker` works — axe-core on every page."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in
from tests.letters.conftest import decide
from tests.servers import worker_process

pytestmark = pytest.mark.browser


def test_officer_words_previews_and_issues_all_letters(page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        program = F.program(funder, slug="health-2026", title="Community Health 2026",
                            grant_start=dt.date(2027, 1, 1), grant_end=dt.date(2027, 12, 31))
        for i in range(4):
            application = F.application(program, F.cbo(name=f"Block Club {i}"))
            decide(application, "award" if i < 3 else "decline", 15_000_00 + i * 100)
        db.session.commit()

    log_in(page, live_server.url, "po@riverside.org")

    page.goto(live_server.url + "/programs/health-2026/letters")
    expect(page.get_by_text("Block Club 0")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Award letter").click()
    page.wait_for_url("**/letters/templates/award")
    assert_accessible(page)
    page.locator("#body").fill("Dear {{ organisation }},\n\nWe award {{ amount }}.")
    page.get_by_role("button", name="Save wording").click()
    assert page.locator("#body-error").inner_text().startswith("Unknown placeholder {{ organisation }}")
    assert page.locator("#body").input_value().startswith("Dear {{ organisation }}")  # nothing typed is lost
    assert_accessible(page)
    page.locator("#body").fill("Dear {{ organization }},\n\nWe award {{ amount }} for {{ grant_period }}.")
    page.locator("#signatory_name").fill("Sam Signer")
    page.locator("#signatory_title").fill("President")  # a letter's own signatory needs a title too
    page.get_by_role("button", name="Save wording").click()
    expect(page.get_by_text("Award letter wording saved.")).to_be_visible()

    page.goto(live_server.url + "/programs/health-2026/letters")
    page.get_by_label("Also issue decline and waitlist letters").check()
    with worker_process(live_server.app, workers=1):
        page.get_by_role("button", name="Issue all letters").click()
        page.wait_for_url("**/letters/batches/*")
        assert_accessible(page)
        # the bar is filled by polling the JSON status: no reload (a property check, not a script
        # string: the page's Content-Security-Policy refuses eval, wait_for_function's way)
        expect(page.locator("#batch-bar")).to_have_js_property("value", 4, timeout=120_000)
        page.get_by_role("link", name="Download all letters (ZIP)").wait_for(timeout=60_000)
    assert page.locator("#batch-text").inner_text() == "4 of 4 letters issued — finished."
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all letters (ZIP)").click()
    assert download.value.suggested_filename == "letters-health-2026-batch-1.zip"
