"""A declined applicant, once decisions are released, reads the panel's feedback and answers the
burden survey anonymously, in Chromium, with axe-core on every page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core.db import db
from tests import factories as F
from tests.browser.conftest import assert_accessible
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
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(F.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")

    # From the application's status page (applications area), which includes our links.
    page.goto(f"{live_server.url}/applications/{app_id}")
    assert_accessible(page)
    page.get_by_role("link", name="Read the review panel's feedback on your application").click()
    page.wait_for_url(f"**/applications/{app_id}/feedback")
    assert page.get_by_role("heading", name="Feedback on your application").is_visible()
    body = page.content()
    assert "We could not fund your application this time" in body
    assert "Tell us more about how residents shape the work." in body and "Clear, concrete plan." in body
    assert "2.5" in body  # criterion 1: (2 + 3) / 2
    assert "Rae Reviewer" not in body and "Ola Reviewer" not in body and "Budget looks thin" not in body
    assert page.get_by_role("heading", name="What would have strengthened the application").is_visible()
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
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert "Thank you. Your answers help us" in page.content()
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
    assert "already answered" in page.content()
    assert_accessible(page)
