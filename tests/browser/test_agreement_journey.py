"""The awardee finds its award letter on the application page and opens the grant agreement from
there; its signer consents, types name and title, and signs; the officer countersigns; both
download the signed PDF, which ends with the signature page — axe-core on every page."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.letters import services
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible, log_in
from tests.letters.conftest import decide

pytestmark = pytest.mark.browser


def _download(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return open(info.value.path(), "rb").read()


def test_awardee_accepts_the_agreement_officer_countersigns_both_download(browser, page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        program = F.program(funder, slug="health-2026", title="Community Health 2026",
                            grant_start=dt.date(2027, 1, 1), grant_end=dt.date(2027, 12, 31))
        cbo = F.cbo(name="Eastside Tenants Union", contact_name="Maria Lopez", contact_title="Executive Director")
        F.user("maria@eastside.org", "Maria Lopez", org=cbo, role=R.APPLICANT)
        application = F.application(program, cbo)
        award = decide(application, "award", 25_000_00)
        F.release(program)
        services.issue(award)
        db.session.commit()
        app_id, award_id = application.id, award.id

    officer_csp = CspViolations(page)
    log_in(page, live_server.url, "po@riverside.org")
    page.goto(f"{live_server.url}/programs/health-2026/letters/{award_id}")
    assert_accessible(page)
    page.get_by_role("button", name="Send the grant agreement").click()
    expect(page.get_by_text("Grant agreement sent")).to_be_visible()

    awardee = browser.new_context().new_page()
    awardee.set_default_timeout(15_000)
    awardee_csp = CspViolations(awardee)
    log_in(awardee, live_server.url, "maria@eastside.org")
    awardee.goto(f"{live_server.url}/applications/{app_id}")
    expect(awardee.get_by_role("heading", name="Your letter from Riverside Health Foundation")).to_be_visible()
    letter = _download(awardee, "Download the award letter (PDF) issued")
    assert "Dear Maria Lopez," in " ".join(PdfReader(io.BytesIO(letter)).pages[0].extract_text().split())
    assert awardee.locator("iframe.letter-preview").count() == 1
    assert_accessible(awardee)

    awardee.get_by_role("link", name="Read and sign the grant agreement").click()
    awardee.wait_for_url(f"**/applications/{app_id}/agreement")
    shown_sha = awardee.locator("#agreement-sha").inner_text()
    assert_accessible(awardee)
    awardee.get_by_label("Your full name (your signature)").fill("Maria Lopez")
    awardee.get_by_label("Your title").fill("Executive Director")
    awardee.get_by_role("button", name="Sign the agreement").click()  # without consent
    assert "Tick the box to agree to sign electronically" in awardee.locator("#consent-error").inner_text()
    assert awardee.get_by_label("Your full name (your signature)").input_value() == "Maria Lopez"
    assert_accessible(awardee)
    # By keyboard, as a signer may: a pointer click can land on the PDF viewer of the frame above.
    awardee.get_by_label("I agree to sign electronically").focus()
    awardee.keyboard.press("Space")
    assert awardee.get_by_label("I agree to sign electronically").is_checked()
    awardee.get_by_role("button", name="Sign the agreement").click()
    expect(awardee.get_by_text("Agreement signed.")).to_be_visible()
    assert "waiting for the funder's countersignature" in awardee.locator("#agreement-status").inner_text()

    page.reload(wait_until="load")
    assert "Signed by Maria Lopez, Executive Director" in page.locator("#officer-agreement").inner_text()
    page.get_by_label("I agree to sign electronically").check()
    page.get_by_label("Your full name (your signature)").fill("Pat Officer")
    page.get_by_label("Your title").fill("Program Officer")
    page.get_by_role("button", name="Countersign the agreement").click()
    expect(page.get_by_text("Agreement countersigned.")).to_be_visible()
    assert_accessible(page)
    from_officer = _download(page, "Download the signed agreement, countersigned (PDF)")

    # The awardee's link, fetched with the awardee's session: Chromium sometimes drops the event of a
    # second download in one context (this one already downloaded the letter), in a new tab too.
    awardee.reload()
    href = awardee.get_by_role("link", name="Download the signed agreement, countersigned (PDF)").get_attribute("href")
    response = awardee.request.get(live_server.url + href)
    assert response.ok and response.headers["content-disposition"].startswith("attachment")
    from_awardee = response.body()
    assert from_officer == from_awardee
    last = " ".join(PdfReader(io.BytesIO(from_awardee)).pages[-1].extract_text().split())
    assert "Signature page" in last and shown_sha in last.replace(" ", "")
    assert "Maria Lopez, Executive Director, for Eastside Tenants Union" in last
    assert "Pat Officer, Program Officer, for Riverside Health Foundation" in last
    with live_server.app.app_context():
        from grantflow.letters.agreements import current_agreement
        assert current_agreement(award_id).final_sha256 == hashlib.sha256(from_awardee).hexdigest()
    officer_csp.check()
    awardee_csp.check()
