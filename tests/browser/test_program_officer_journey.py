"""A program officer creates a program, builds a two-criterion rubric, adds a custom question,
imports CHNA places from the sample CSV and publishes — in Chromium, with axe-core on every page."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.chna.models import Place
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.programs.models import PUBLISHED, Program
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in, see

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "places_sample.csv"


def _add_criterion(page, label, weight, anchors):
    page.locator("#label").fill(label)
    page.locator("#guidance").fill(f"How well does the proposal show {label.lower()}?")
    page.locator("#weight").fill(weight)
    page.locator("#anchors").fill("\n".join(anchors))
    page.get_by_role("button", name="Add criterion").click()
    page.wait_for_url("**/rubric*")


def test_program_officer_sets_up_and_publishes_a_program(page, live_server):
    with live_server.app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        db.session.commit()

    log_in(page, live_server.url, "po@riverside.org")
    assert_accessible(page)

    # 1. The program, first with mistakes.
    page.get_by_role("link", name="Create a program").click()
    page.wait_for_url("**/programs/new")
    assert_accessible(page)
    page.locator("#title").fill("Healthy Homes 2027")
    page.locator("#description").fill("Grants for resident-led housing repair and tenant organizing.")
    page.locator("#contact_name").fill("Pat Officer")
    page.locator("#contact_email").fill("po@riverside.org")
    page.locator("#budget_cents").fill("300,000")
    page.locator("#min_award_cents").fill("10,000")
    page.locator("#max_award_cents").fill("a lot")
    page.locator("#timezone").select_option("America/Chicago")
    page.locator("#opens_at").fill("2026-01-05T09:00")
    page.locator("#closes_at").fill("2099-02-01T17:00")
    page.locator("#review_ends_at").fill("2099-03-01T17:00")
    page.locator("#decisions_release_at").fill("2099-03-15T12:00")
    page.locator("#grant_start").fill("2099-04-01")
    page.locator("#grant_end").fill("2100-03-31")
    page.get_by_label("Blind review").check()
    page.get_by_role("button", name="Create program").click()
    assert "Enter an amount in dollars" in page.locator("#max_award_cents-error").inner_text()
    assert page.locator("#max_award_cents").input_value() == "a lot"
    assert page.locator("#title").input_value() == "Healthy Homes 2027"
    assert "max_award_cents-error" in page.locator("#max_award_cents").get_attribute("aria-describedby")
    assert_accessible(page)
    page.locator("#max_award_cents").fill("50,000")
    page.get_by_role("button", name="Create program").click()
    page.wait_for_url("**/rubric")

    # 2. The rubric: two criteria, a reorder with the keyboard-operable buttons, the preview.
    assert_accessible(page)
    _add_criterion(page, "Community leadership", "2", ["Absent", "Emerging", "Present", "Strong", "Defining"])
    _add_criterion(page, "Feasibility", "1", ["Unclear", "Weak", "Plausible", "Solid", "Proven"])
    rows = page.locator("#criteria tbody tr")
    assert rows.count() == 2
    assert "67%" in rows.nth(0).inner_text() and "33%" in rows.nth(1).inner_text()
    page.get_by_role("button", name="Move up Feasibility").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#criteria tbody tr").nth(0).locator("th").inner_text() == "Feasibility"
    expect(page.get_by_role("heading", name="Preview: what reviewers see")).to_be_visible()
    assert page.get_by_label("5 — Defining").is_disabled()
    assert_accessible(page)

    # 3. A custom question.
    page.get_by_role("link", name="Custom questions").click()
    page.wait_for_url("**/questions")
    assert_accessible(page)
    page.locator("#label").fill("How do residents shape the repairs you choose?")
    page.locator("#kind").select_option("long_text")
    page.locator("#word_limit").fill("200")
    page.get_by_label("Applicants must answer").check()
    page.get_by_role("button", name="Add question").click()
    page.wait_for_url("**/questions*")
    expect(page.get_by_role("heading", name="Preview: what applicants see")).to_be_visible()
    see(page, "At most 200 words.")
    assert_accessible(page)

    # 4. CHNA: a ranked need and places from the 5-row SVI sample.
    page.get_by_role("link", name="Community health needs").click()
    page.wait_for_url("**/funders/riverside/chna")
    assert_accessible(page)
    page.locator("#name").fill("Housing stability")
    page.locator("#description").fill("Ranked first in the 2025 CHNA.")
    page.get_by_role("button", name="Add need").click()
    page.wait_for_url("**/chna*")
    page.locator("#imp-file").set_input_files(str(SAMPLE))
    page.get_by_label("Mark places with a high need index as priority").check()
    page.locator("#imp-threshold").fill("0.8")
    page.get_by_role("button", name="Import places").click()
    page.wait_for_url("**/chna*")
    see(page, "Imported 5 places (5 new, 0 updated, SVI layout). 2 places are marked as priority.")
    assert page.locator('tr[id^="place-"]').count() == 5
    assert_accessible(page)

    # 5. Publish from the hub.
    page.goto(live_server.url + "/dashboard")
    page.get_by_role("link", name="Healthy Homes 2027").click()
    page.wait_for_url("**/manage")
    see(page, "The program is complete and ready to publish.")
    assert_accessible(page)
    page.get_by_role("button", name="Publish program").click()
    page.wait_for_url("**/manage")
    see(page, "Program published.")
    assert_accessible(page)
    page.get_by_role("link", name="Public page").click()
    page.wait_for_url("**/programs/healthy-homes-2027")
    expect(page.get_by_role("heading", name="Healthy Homes 2027", exact=True)).to_be_visible()
    see(page, "Feb 01, 2099 05:00 PM CST")
    assert_accessible(page)
    page.goto(live_server.url + "/opportunities")
    see(page, "Healthy Homes 2027")

    with live_server.app.app_context():
        program = db.session.execute(select(Program).where(Program.slug == "healthy-homes-2027")).scalar_one()
        assert program.status == PUBLISHED and program.blind_review
        assert program.max_award_cents == 50_000_00
        assert [c.label for c in program.current_rubric.criteria] == ["Feasibility", "Community leadership"]
        assert program.questions[0].word_limit == 200 and program.questions[0].required
        places = db.session.execute(select(Place).where(Place.funder_id == program.funder_id)).scalars().all()
        assert len(places) == 5 and sum(p.is_priority for p in places) == 2
