"""A CBO registers, confirms its email, logs out, logs in again and sees its dashboard, in Chromium."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, confirm_email, log_in, see

pytestmark = __import__("pytest").mark.browser


def test_cbo_registers_logs_in_and_sees_dashboard(page, live_server):
    page.goto(live_server.url + "/register")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Dana Rivera")
    page.get_by_label("Email").fill("dana@eastside-tenants.org")
    page.get_by_label("Organization's legal name").fill("Eastside Tenants Union")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Create account").click()
    # Field-level error, and what was typed is kept.
    assert page.locator("#password-error").inner_text().startswith("Use at least 10 characters")
    assert page.get_by_label("Email").input_value() == "dana@eastside-tenants.org"
    assert page.get_by_label("Password", exact=True).get_attribute("aria-describedby").find("password-error") >= 0
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_email(page, live_server.app, "dana@eastside-tenants.org")
    see(page, "Eastside Tenants Union")
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server.url, "dana@eastside-tenants.org", "a long enough passphrase")
    expect(page.get_by_role("heading", name="Welcome, Dana Rivera")).to_be_visible()
    assert_accessible(page)
