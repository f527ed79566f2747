"""A declined applicant, once decisions are released, reads the panel's feedback and answers the
burden survey anonymously, in Chromium, with axe-core on every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import assert_accessible, log_in, see
from tests.conftest import build_world
from tests.feedback.builders import decide, release, review

pytestmark = pytest.mark.browser


def _seed(app):
    with app.app_context():
        w = build_world()
        review(w.other_application, w.users["reviewer"], [2, 4, 3],
               to_applicant="Tell us more about how residents shape the work.", private="Budget looks thin.")
        review(w.other_application, w.users["other_reviewer"], [3, 4, 4], to_applicant="Clear, concrete plan.")
        decide(w.other_application, "decline")
        release(w.program)
        db.session.commit()
        return w.other_application.id, w.users["other_applicant"].email


def test_declined_applicant_reads_feedback_and_answers_survey(page, live_server):
    app_id, email = _seed(live_server.app)
    log_in(page, live_server.url, email)

    # From the application's status page (applications area), which includes our links.
    page.goto(f"{live_server.url}/applications/{app_id}")
    assert_accessible(page)
    page.get_by_role("link", name="Read the review panel's feedback on your application").click()
    page.wait_for_url(f"**/applications/{app_id}/feedback")
    expect(page.get_by_role("heading", name="Feedback on your application")).to_be_visible()
    body = page.content()
    assert "We could not fund your application this time" in body
    assert "Tell us more about how residents shape the work." in body and "Clear, concrete plan." in body
    assert "2.5" in body  # criterion 1: (2 + 3) / 2
    assert "Rae Reviewer" not in body and "Ola Reviewer" not in body and "Budget looks thin" not in body
    expect(page.get_by_role("heading", name="What would have strengthened the application")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/applications/{app_id}")
    page.get_by_role("link", name="Tell us what applying cost you").click()
    page.wait_for_url(f"**/applications/{app_id}/burden-survey")
    assert_accessible(page)
    page.get_by_label("About how many hours").fill("-4")
    page.get_by_label("Board members").check()
    page.get_by_label("What should we change").fill("Accept the budget we already send other funders.")
    page.get_by_role("button", name="Send my answers").click()
    assert "Enter a number of hours from 0 to 2000." in page.locator("#hours_spent-error").inner_text()
    assert page.get_by_label("What should we change").input_value() == \
        "Accept the budget we already send other funders."
    assert page.get_by_label("Board members").is_checked()
    assert "hours_spent-error" in page.get_by_label("About how many hours").get_attribute("aria-describedby")
    assert_accessible(page)
    page.get_by_label("About how many hours").fill("18")
    page.get_by_role("group", name="How burdensome was applying?").get_by_label("3", exact=True).check()
    assert page.get_by_label("Answer anonymously").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you. Your answers help us").first.wait_for()
    # The status page no longer offers the survey, but links to the feedback.
    assert page.get_by_role("link", name="Read the review panel's feedback on your application").count() == 1
    assert page.get_by_role("link", name="Tell us what applying cost you").count() == 0
    assert_accessible(page)

    with live_server.app.app_context():
        from grantflow.feedback.models import BurdenSurvey

        row = db.session.execute(select(BurdenSurvey)).scalar_one()
        assert row.application_id is None and row.hours_spent == 18 and row.burden == 3
        assert row.who_helped == ["board"]

    page.goto(f"{live_server.url}/applications/{app_id}/burden-survey")
    see(page, "already answered")
    assert_accessible(page)


def _seed_officer_world(app):
    import datetime as dt

    from grantflow.feedback import burden as B
    from grantflow.feedback import checkins
    from tests.feedback.builders import close_survey

    with app.app_context():
        w = build_world()
        needs = [F.need(w.funder, "Chronic disease", 1), F.need(w.funder, "Housing", 2)]
        F.place(w.funder, "36061000100", is_priority=True, name="Tract 100")
        w.application.outcomes = [{"metric": "Households housed", "target": "40"}]
        for i in range(11):
            a = F.application(w.program, F.cbo(annual_budget_cents=100_000_00))
            B.record_answer(a, anonymous=bool(i % 2), hours_spent=5 + i, who_helped=["board"], clarity=3,
                            fairness=4, respect=5, burden=2, what_to_change=f"Suggestion {i}")
        decide(w.application, "award", 40_000_00)
        release(w.program)
        close_survey(w.program)
        checkins.set_schedule(w.program, [dt.date.today() - dt.timedelta(days=3)])
        db.session.commit()
        return {"officer": w.users["program_officer"].email, "advisor": w.users["community_advisor"].email,
                "housing": needs[1].name}


def test_advisor_ranks_and_officer_adopts_and_reviews_results(page, live_server):
    people = _seed_officer_world(live_server.app)
    base = live_server.url
    log_in(page, base, people["advisor"])
    page.get_by_role("link", name="Rank the community priorities of Riverside Health Foundation").click()
    assert_accessible(page)
    page.get_by_label("Rank of Chronic disease").select_option("1")
    page.get_by_label("Rank of Housing").select_option("1")
    page.get_by_label("Comment on Housing").fill("Rents doubled in two years.")
    page.get_by_label("Rank of Tract 100").select_option("1")
    page.get_by_role("button", name="Save my ranking").click()
    see(page, "Rank 1 is already given to Chronic disease")
    assert page.get_by_label("Comment on Housing").input_value() == "Rents doubled in two years."
    assert_accessible(page)
    page.get_by_label("Rank of Chronic disease").select_option("2")
    page.get_by_role("button", name="Save my ranking").click()
    see(page, "Your ranking is saved")
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, people["officer"])
    page.goto(base + "/programs/health-2026/manage")
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.wait_for_url("**/programs/health-2026/feedback")
    assert_accessible(page)
    page.get_by_role("link", name="Community priorities").click()
    see(page, "Rents doubled in two years.")
    assert_accessible(page)
    page.get_by_role("button", name="Adopt the advisors' ranking as need weights").click()
    see(page, "now the CHNA-alignment rule's need weights")
    page.get_by_role("link", name="Application burden").click()
    see(page, "11 answers", "Suggestion 3")
    assert_accessible(page)
    page.get_by_role("link", name="Progress reports").click()
    assert page.locator("#late-reports").inner_text().startswith("Overdue")
    assert_accessible(page)
    page.get_by_role("link", name="What applicants see").click()
    page.get_by_label("Reviewers' comments written for the applicant").uncheck()
    page.get_by_role("button", name="Save settings").click()
    see(page, "Feedback settings saved")
    page.get_by_role("navigation", name="Feedback").get_by_role("link", name="You said, we did").click()
    page.get_by_role("link", name="Add an answer").click()
    assert_accessible(page)
    page.get_by_label("Theme").select_option("burden")
    page.get_by_label("You said").fill("The budget form took a whole day.")
    page.get_by_label("We did").fill("We now accept the budget you send other funders.")
    page.get_by_role("button", name="Save").click()
    see(page, "We now accept the budget you send other funders.")
    assert_accessible(page)
