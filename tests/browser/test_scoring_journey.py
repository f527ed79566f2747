"""A program officer configures scoring rules, sees the shares of the total follow the weights as
they are typed, sees a message at the field, saves, records a run,
opens a breakdown and tries the what-if sandbox — in Chromium, with axe-core on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in, see
from tests.scoring.helpers import leadership, loop, practice, review

pytestmark = pytest.mark.browser


def _seed(app):
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        prog = F.program(funder, slug="health-2026", title="Community Health 2026")
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        rev = F.user("rev@riverside.org", "Rae Reviewer", org=funder, role=R.REVIEWER)
        F.need(funder, "Housing", 1)
        ids = []
        for i, name in enumerate(("Eastside Tenants Union", "Northside Food Collective")):
            cbo = F.cbo(name=name)
            leadership(cbo, ed_race=("black",) if i == 0 else ("white",), board=(10, 6 - 4 * i))
            practice(cbo)
            loop(cbo)
            a = F.application(prog, cbo, title=f"{name} navigators")
            review(a, rev, [5 - i, 4, 4])
            ids.append(a.id)
        db.session.commit()
        return ids


def test_officer_configures_rescores_and_tries_whatif(page, live_server):
    ids = _seed(live_server.app)
    base = live_server.url
    log_in(page, base, "po@riverside.org")
    page.goto(base + "/programs/health-2026/scoring")
    expect(page.get_by_role("heading", name="Scoring rules for Community Health 2026")).to_be_visible()
    assert_accessible(page)

    # The shares of the total follow the weights as they are typed, before anything is saved.
    assert page.locator("#merit-share").inner_text() == "60%"
    assert page.locator("#share-warning").is_hidden()
    page.locator("#rule_rubric-weight").fill("1")
    assert page.locator("#merit-share").inner_text() == "14%"  # 1 of 7, the old default
    assert page.locator("#priority-share").inner_text() == "86%"
    expect(page.locator("#share-warning")).to_be_visible()
    page.locator("#rule_rubric-enabled").uncheck()
    assert page.locator("#merit-share").inner_text() == "0%" and page.locator('[data-share-of="poc_led"]').inner_text() == "17%"
    page.locator("#rule_rubric-enabled").check()
    page.locator("#rule_rubric-weight").fill("9")
    assert page.locator("#merit-share").inner_text() == "60%" and page.locator("#share-warning").is_hidden()

    weight = page.locator("#rule_poc_led-weight")
    weight.fill("150")
    page.get_by_role("button", name="Save scoring rules").click()
    assert page.locator("#rule_poc_led-weight-error").inner_text().strip() == "Weight must be between 0 and 100."
    assert page.locator("#rule_poc_led-weight").input_value() == "150"
    assert page.locator("#rule_poc_led-weight").get_attribute("aria-describedby").endswith("rule_poc_led-weight-error")
    assert_accessible(page)

    page.locator("#rule_poc_led-weight").fill("3")
    page.get_by_role("button", name="Save scoring rules").click()
    see(page, "Scoring configuration saved")
    page.get_by_role("button", name="Record a score run").click()
    page.wait_for_url("**/scoring/results")
    expect(page.get_by_role("heading", name="Ranking for Community Health 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Eastside Tenants Union — Eastside Tenants Union navigators").click()
    page.wait_for_url(f"**/applications/{ids[0]}/score")
    see(page, "Led by people of color under this program")
    assert_accessible(page)

    page.goto(base + "/programs/health-2026/what-if")
    page.locator("#rule_poc_led-weight").fill("0")
    page.get_by_role("button", name="Show the result").click()
    assert "A rule in use needs a weight above 0" in page.locator("#rule_poc_led-weight-error").inner_text()
    page.locator("#rule_poc_led-weight").fill("50")
    page.get_by_role("button", name="Show the result").click()
    expect(page.get_by_role("table", name="Shares by group (this sandbox vs saved rules)")).to_be_visible()
    assert_accessible(page)

    page.goto(base + "/programs/health-2026/scoring/compare")
    assert_accessible(page)
