"""Blind review as the applicant meets it: the edit page lists what reviewers will not see, they
add a term of their own and preview their application as a reviewer reads it — in Chromium,
with axe-core and the Content-Security-Policy watched on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.blind.models import BlindTerm
from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible, log_in, see

pytestmark = pytest.mark.browser


def test_the_applicant_sees_adds_and_previews_what_is_hidden(page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        org = F.cbo(name="Perris Community Land Trust", slug="perris-clt", city="Perris", postal_code="92570")
        prog = F.program(funder, slug="health-2026", title="Community Health 2026", blind_review=True)
        user = F.user("andre@perris-clt.org", "Andre Johnson", org=org, role=R.APPLICANT)
        a = F.application(prog, org, status="draft", created_by_id=user.id, title="Perris CLT homes",
                          summary="The PCLT and Andre build homes at the Old Mill site.")
        db.session.commit()
        app_id = a.id
    csp = CspViolations(page)
    log_in(page, live_server.url, "andre@perris-clt.org")
    page.goto(live_server.url + f"/applications/{app_id}/edit")
    panel = page.locator("#blind-panel")
    expect(panel.get_by_role("heading", name="Blind review: what reviewers will not see")).to_be_visible()
    for term in ("Perris Community Land Trust", "Perris CLT", "PCLT", "Andre Johnson", "perris-clt.org", "92570"):
        assert term in panel.inner_text(), term
    assert_accessible(page)

    panel.get_by_role("link", name="Add terms to hide").click()
    page.wait_for_url(f"**/applications/{app_id}/hidden-terms")
    page.get_by_role("button", name="Hide this term").click()  # nothing typed: said at the field
    assert "at least two letters" in page.locator("#text-error").inner_text()
    assert_accessible(page)
    page.get_by_label("A name or word to hide from reviewers").fill("Old Mill")
    page.get_by_role("button", name="Hide this term").click()
    see(page, "“Old Mill” will be hidden from reviewers.")
    with live_server.app.app_context():
        assert db.session.execute(select(BlindTerm.text)).scalars().all() == ["Old Mill"]

    page.get_by_role("link", name="Preview what a reviewer will see").first.click()
    page.wait_for_url(f"**/applications/{app_id}/reviewer-preview")
    main = page.locator("main").inner_text()
    assert "The [Applicant] and [name] build homes at the [hidden] site." in main
    assert "Perris" not in main and "Andre" not in main
    assert_accessible(page)
    csp.check()
