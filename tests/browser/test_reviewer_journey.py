"""A reviewer logs in, declares conflicts of interest (for a blind program: against the list of
applicants, before reading anything; otherwise per application), scores against the rubric and
submits; a program officer then assigns, ranks and decides — in Chromium, with axe-core on every
page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.reviews.models import Review, ReviewAssignment
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in, see

pytestmark = pytest.mark.browser


def _seed(app, blind=True):
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside")
        cbo = F.cbo(name="Eastside Tenants Union", slug="eastside")
        prog = F.program(funder, slug="health-2026", title="Community Health 2026", blind_review=blind,
                         reviewers_per_application=1)
        rev = F.user("rev@riverside.org", "Rae Reviewer", org=funder, role=R.REVIEWER)
        F.user("po@riverside.org", "Pat Officer", org=funder, role=R.PROGRAM_OFFICER)
        a = F.application(prog, cbo, title="Eastside Tenants Union navigators",
                          summary="Eastside Tenants Union connects residents to care.")
        db.session.add(ReviewAssignment(application_id=a.id, reviewer_id=rev.id))
        db.session.commit()
        return a.id


def test_reviewer_declares_no_conflict_scores_and_submits(page, live_server):
    app_id = _seed(live_server.app)
    log_in(page, live_server.url, "rev@riverside.org")
    assert_accessible(page)

    page.get_by_role("link", name=f"Community Health 2026 — application #{app_id}").click()
    # Blind: first the declaration against every applicant's name, tied to no application.
    page.wait_for_url("**/programs/health-2026/conflicts**")
    expect(page.get_by_role("heading", name="Before you review: conflicts of interest")).to_be_visible()
    assert page.get_by_label("Eastside Tenants Union").is_visible() and "navigators" not in page.content()
    assert_accessible(page)
    page.get_by_label("Your affiliations (optional)").fill("Riverside Library Friends")
    page.get_by_role("button", name="Declare and continue").click()
    page.wait_for_url(f"**/reviews/{app_id}")
    expect(page.get_by_role("heading", name="Your scores")).to_be_visible()
    assert "[Applicant] navigators" in page.content() and "Eastside" not in page.content()
    expect(page.get_by_role("button", name="I think I know who this is")).to_be_visible()
    assert_accessible(page)

    # Submitting with a criterion left blank keeps what was typed and says which one is missing.
    page.get_by_role("group", name="Criterion 1").get_by_label("4 — Level 4").check()
    page.get_by_role("group", name="Criterion 2").get_by_label("3 — Level 3").check()
    page.get_by_label("Comment for the applicant").fill("A clear plan rooted in the tenants' own priorities.")
    page.get_by_role("button", name="Submit review").click()
    see(page, "Choose a score for “Criterion 3”")
    assert page.get_by_role("group", name="Criterion 1").get_by_label("4 — Level 4").is_checked()
    assert_accessible(page)

    page.get_by_role("group", name="Criterion 3").get_by_label("5 — Level 5").check()
    page.get_by_label("Private comment for the funder").fill("Strong, small team.")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/reviews/{app_id}")
    see(page, "Your review was submitted")
    assert_accessible(page)

    with live_server.app.app_context():
        review = db.session.execute(select(Review)).scalar_one()
        assert review.status == "submitted"
        assert sorted(s.score for s in review.scores) == [3, 4, 5]
        assert review.comment_to_applicant.startswith("A clear plan")


def test_without_blind_review_the_reviewer_declares_per_application(page, live_server):
    app_id = _seed(live_server.app, blind=False)
    log_in(page, live_server.url, "rev@riverside.org")
    page.goto(live_server.url + f"/reviews/{app_id}")
    expect(page.get_by_role("heading", name="Before you review: conflict of interest")).to_be_visible()
    # Continuing without an answer: the message is at the question.
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#answer-error").inner_text().strip() == "Confirm you have no conflict, or declare one."
    assert_accessible(page)
    page.get_by_label("I have no conflict of interest with this applicant").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/reviews/{app_id}")
    expect(page.get_by_role("heading", name="Your scores")).to_be_visible()
    see(page, "Eastside Tenants Union navigators")


def test_officer_assigns_ranks_and_decides(page, live_server):
    app_id = _seed(live_server.app)
    log_in(page, live_server.url, "po@riverside.org")
    page.goto(live_server.url + "/programs/health-2026/reviewers")
    assert_accessible(page)
    page.goto(live_server.url + f"/applications/{app_id}/reviewers")
    assert_accessible(page)
    page.goto(live_server.url + "/programs/health-2026/board")
    assert_accessible(page)
    page.get_by_role("link", name=f"#{app_id} Eastside Tenants Union navigators").click()
    page.wait_for_url(f"**/applications/{app_id}/decision")
    assert_accessible(page)
    page.get_by_role("radio", name="Award").check()
    page.get_by_label("Amount to award (dollars)").fill("500,000")
    page.get_by_label("Rationale").fill("Strong community voice.")
    page.get_by_role("button", name="Save decision").click()
    assert "at most the program" in page.locator("#amount-error").inner_text()
    assert_accessible(page)
    page.get_by_label("Amount to award (dollars)").fill("45,000")
    # Its review is not in yet: the page says so, and an award needs the reason.
    see(page, "has no complete review")
    page.get_by_label("Reason to award without a complete review").fill("The panel met and agreed in person.")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url("**/programs/health-2026/board")
    see(page, "awarded $45,000.00")
    with live_server.app.app_context():
        assert db.session.execute(select(Decision.amount_cents)).scalar_one() == 45_000_00
