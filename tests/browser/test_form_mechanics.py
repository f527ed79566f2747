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
