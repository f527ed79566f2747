"""The application form's mechanics in Chromium: live counters that keep pasted text and tell
screen readers; rows added and removed in place with focus moved (with and without JavaScript);
withdrawing asks first. axe-core on every state."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.programs.models import CustomQuestion
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in
from tests.servers import wait_for

pytestmark = pytest.mark.browser


def seed(app):
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        program = F.program(funder, slug="healthy-homes", title="Healthy Homes 2026")
        db.session.add(CustomQuestion(program=program, key="story", label="Tell us a story", kind="long_text",
                                      word_limit=5))
        org = F.cbo(name="Eastside Tenants Union", slug="eastside")
        F.user("dana@eastside.org", "Dana Rivera", org=org, role=R.APPLICANT)
        draft = F.application(program, org, status="draft", title="Counted")
        db.session.commit()
        return draft.id


def test_pasted_text_over_the_limit_is_kept_counted_and_announced(page, live_server):
    app_id = seed(live_server.app)
    log_in(page, live_server.url, "dana@eastside.org")
    page.goto(f"{live_server.url}/applications/{app_id}/edit")
    story = page.get_by_label("Tell us a story")
    counter = page.locator("#q_story-counter")
    expect(counter).to_have_text("5 words left of 5.")
    pasted = "one two three four five six seven"
    story.focus()
    page.keyboard.insert_text(pasted)  # a paste: one input event with all of it
    expect(story).to_have_value(pasted)
    expect(counter).to_have_text(re.compile(r"^2 words over the limit of 5\."))
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    live = page.locator("#q_story-counter-live")
    assert live.get_attribute("aria-live") == "polite"
    expect(live).to_have_text(re.compile("2 words over the limit"))
    assert "q_story-counter" in story.get_attribute("aria-describedby")
    title = page.get_by_label("Project title")
    title.fill("x" * 205)
    expect(title).to_have_value("x" * 205)
    expect(page.locator("#title-counter")).to_have_text(re.compile("5 characters over the limit of 200"))
    assert_accessible(page)
    # Sent: kept as pasted, and told at the field.
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator("#q_story-error")).to_contain_text("Use at most 5 words (you used 7).")
    expect(page.get_by_label("Tell us a story")).to_have_value(pasted)
    assert_accessible(page)
    with live_server.app.app_context():
        a = db.session.execute(select(Application)).scalar_one()
        assert a.draft_form["q_story"] == [pasted]


def test_rows_are_added_and_removed_in_place_with_focus_moved(page, live_server):
    app_id = seed(live_server.app)
    log_in(page, live_server.url, "dana@eastside.org")
    page.goto(f"{live_server.url}/applications/{app_id}/edit")
    page.evaluate("window.__samePage = true")
    page.get_by_label("Category, line 1").fill("Staff")
    page.get_by_label("Amount in dollars, line 1").fill("1000")
    page.get_by_role("button", name="Add a budget line").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#budget-1-category")).to_be_focused()  # waits for the script
    page.keyboard.type("Rent")
    page.get_by_label("Amount in dollars, line 2").fill("500")
    expect(page.locator("#rows-live")).to_have_text("Budget line 2 added.")
    page.get_by_role("button", name="Add a budget line").click()
    page.get_by_label("Category, line 3").fill("Supplies")
    assert page.evaluate("window.__samePage") is True  # no reload
    expect(page.locator("#budget-total")).to_have_text("$1,500.00")
    assert_accessible(page)
    # Removing line 2: line 3 takes its place (renumbered), and gets the focus.
    page.get_by_role("button", name="Remove line 2").click()
    expect(page.locator("#budget-1-category")).to_be_focused()  # waits for the script
    expect(page.get_by_label("Category, line 2")).to_have_value("Supplies")
    expect(page.locator("#rows-live")).to_have_text("Budget line 2 removed. 2 left.")
    assert page.locator("#budget-2-category").count() == 0
    page.get_by_role("button", name="Add an outcome").click()
    expect(page.locator("#outcomes-1-metric")).to_be_focused()  # waits for the script
    page.keyboard.press("Enter")  # Enter in a field saves; it does not reload the page at the top
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Saved at \d{1,2}:\d\d [AP]M \w+"), timeout=10_000)
    assert page.evaluate("window.__samePage") is True
    # Saves go one at a time, the last with the page as it is now; the "Saved at" above may be an
    # earlier one's (typing "Rent" started one before line 2 was removed): wait for the last.
    def saved():
        with live_server.app.app_context():
            a = db.session.execute(select(Application)).scalar_one()
            return ([line.category for line in a.budget_lines] == ["Staff", "Supplies"]
                    and a.draft_form.get("budget-1-category") == ["Supplies"] and "budget-2-category" not in a.draft_form)

    wait_for(saved, timeout=20)


def test_without_javascript_a_row_button_comes_back_at_the_row_with_focus(browser, live_server):
    """(Page scripts are off, so axe-core cannot run here; the same page is checked with them on.)"""
    app_id = seed(live_server.app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url, "dana@eastside.org")
        page.goto(f"{live_server.url}/applications/{app_id}/edit")
        page.get_by_label("Category, line 1").fill("Staff")
        page.get_by_role("button", name="Add a budget line").click()
        page.wait_for_url(re.compile(r"#budget-1-category$"))
        expect(page.locator("#budget-1-category")).to_be_focused()
        expect(page.get_by_label("Category, line 1")).to_have_value("Staff")
        page.keyboard.type("Rent")
        page.get_by_role("button", name="Remove line 1").click()
        page.wait_for_url(re.compile(r"#budget-0-category$"))
        expect(page.locator("#budget-0-category")).to_be_focused()
        expect(page.get_by_label("Category, line 1")).to_have_value("Rent")
    finally:
        context.close()
