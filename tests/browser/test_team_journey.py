"""A CBO's admin invites a colleague, who creates an account from the emailed link and edits the
shared draft; the admin then sees who edited it, and a save from the older page names the
colleague and keeps what was typed. In Chromium, every page checked with axe-core."""
from __future__ import annotations

from playwright.sync_api import expect

import re

from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.core.mail import outbox
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible, log_in

pytestmark = __import__("pytest").mark.browser


def test_admin_invites_a_colleague_who_accepts_and_edits_the_draft(browser, live_server):
    app = live_server.app
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        program = F.program(funder, slug="health-2026", title="Community Health 2026")
        cbo = F.cbo(name="Eastside Tenants Union", slug="eastside")
        F.user("dana@eastside.org", "Dana Rivera", org=cbo, role=R.APPLICANT)
        draft = F.application(program, cbo, status="draft", title="Healthy homes")
        db.session.commit()
        draft_id = draft.id

    admin_context, colleague_context = browser.new_context(), browser.new_context()
    admin, colleague = admin_context.new_page(), colleague_context.new_page()
    csp = CspViolations(admin), CspViolations(colleague)
    try:
        log_in(admin, live_server.url, "dana@eastside.org")
        admin.get_by_role("link", name="team of Eastside Tenants Union").click()
        expect(admin.get_by_role("heading", name="Eastside Tenants Union: team")).to_be_visible()
        assert_accessible(admin)
        admin.get_by_label("Their email address").fill("not-an-email")
        admin.get_by_role("button", name="Send the invitation").click()
        assert "Enter an email address" in admin.locator("#email-error").inner_text()
        assert admin.get_by_label("Their email address").input_value() == "not-an-email"
        assert_accessible(admin)
        admin.get_by_label("Their email address").fill("rosa@eastside.org")
        admin.get_by_label(re.compile("^Editor: ")).check()
        admin.get_by_role("button", name="Send the invitation").click()
        assert "An invitation is on its way to rosa@eastside.org, as editor." in admin.content()
        expect(admin.get_by_role("button", name="Resend to rosa@eastside.org")).to_be_visible()
        assert_accessible(admin)

        with app.app_context():
            [mail] = [m for m in outbox() if m["To"] == "rosa@eastside.org"]
        link = re.search(r"http://\S+/invitations/\S+", mail.get_content()).group(0)
        colleague.goto(link.replace("http://localhost", live_server.url))
        assert_accessible(colleague)
        colleague.get_by_label("Your name").fill("Rosa Diaz")
        colleague.get_by_label("Password", exact=True).fill("a long enough passphrase")
        colleague.get_by_label("Repeat password").fill("a long enough passphrase")
        colleague.get_by_role("button", name="Accept invitation").click()
        colleague.wait_for_url("**/dashboard")
        assert "your role: editor" in colleague.content()

        # Both open the draft; the colleague saves first.
        admin.goto(f"{live_server.url}/applications/{draft_id}/edit")
        colleague.get_by_role("link", name="Healthy homes").click()
        colleague.wait_for_url(f"**/applications/{draft_id}/edit")
        colleague.get_by_label("Project title").fill("Healthy homes for every tenant")
        colleague.get_by_role("button", name="Save draft").first.click()
        colleague.wait_for_load_state()
        assert colleague.locator("#last-edited-text").inner_text().startswith("Last edited by Rosa Diaz, ")
        assert_accessible(colleague)

        # The admin's page is older: the save is refused, names Rosa, keeps the admin's text.
        admin.route("**/autosave", lambda route: route.abort())  # only the explicit save counts here
        admin.get_by_label("Project summary").fill("Dana's summary, typed on the older page.")
        admin.get_by_role("button", name="Save draft").first.click()
        admin.wait_for_load_state()
        assert "Rosa Diaz saved another version of this draft at" in admin.locator("#error-summary").inner_text()
        assert admin.get_by_label("Project summary").input_value() == "Dana's summary, typed on the older page."
        assert_accessible(admin)
        with app.app_context():
            stored = db.session.get(Application, draft_id)
            assert stored.title == "Healthy homes for every tenant" and "Dana" not in stored.summary

        admin.goto(f"{live_server.url}/applications/{draft_id}")
        trail = admin.locator("#activity").inner_text()
        assert "Rosa Diaz edited project title" in trail
        assert_accessible(admin)
        for c in csp:
            c.check()
    finally:
        admin_context.close()
        colleague_context.close()
