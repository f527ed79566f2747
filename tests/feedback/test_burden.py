"""The burden survey: offered once after submission, stored anonymously when asked, and shown to
officers only as aggregates with groups of 1..k-1 answers suppressed."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from grantflow.core.db import db
from grantflow.feedback import burden as B
from grantflow.feedback.models import BurdenSurvey, BurdenSurveyDone
from grantflow.feedback.suppression import suppress_counts
from tests import factories as F
from tests.feedback.builders import close_survey, decide


def test_survey_form_validation_keeps_values(world, login):
    client = login(world.users["applicant"])
    url = f"/applications/{world.application.id}/burden-survey"
    assert "What did applying cost you?" in client.get(url).get_data(as_text=True)
    r = client.post(url, data={"hours_spent": "-3", "what_to_change": "Shorter budget form"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="hours_spent-error"' in html and "Enter a number of hours from 0 to 2000." in html
    assert "Shorter budget form" in html  # nothing typed is lost
    r = client.post(url, data={})
    assert r.status_code == 422 and "Answer at least one question" in r.get_data(as_text=True)
    assert db.session.execute(select(func.count(BurdenSurvey.id))).scalar() == 0


def test_named_answer_and_once_per_application(world, login):
    client = login(world.users["applicant"])
    url = f"/applications/{world.application.id}/burden-survey"
    r = client.post(url, data={"hours_spent": "14.5", "who_helped": ["board", "consultant"], "clarity": "4",
                               "fairness": "3", "respect": "5", "burden": "2", "what_to_change": "Fewer attachments"})
    assert r.status_code == 302
    row = db.session.execute(select(BurdenSurvey)).scalar_one()
    assert row.application_id == world.application.id and row.hours_spent == 14.5
    assert row.who_helped == ["board", "consultant"] and (row.clarity, row.burden) == (4, 2)
    assert row.submitted_on == dt.date.today().replace(day=1)
    # A second answer is refused; the page says so.
    assert "already answered" in client.get(url).get_data(as_text=True)
    client.post(url, data={"hours_spent": "1"})
    assert db.session.execute(select(func.count(BurdenSurvey.id))).scalar() == 1


def test_draft_cannot_answer(world, login):
    draft = F.application(world.program, world.cbo, status="draft")
    db.session.commit()
    r = login(world.users["applicant"]).post(f"/applications/{draft.id}/burden-survey", data={"hours_spent": "3"})
    assert r.status_code == 302
    assert db.session.execute(select(func.count(BurdenSurvey.id))).scalar() == 0


def test_suppress_counts_complementary():
    assert suppress_counts({"a": 30, "b": 5, "c": 0}, 11) == {"a": None, "b": None, "c": 0}
    assert suppress_counts({"a": 30, "b": 5, "c": 12}, 11) == {"a": 30, "b": None, "c": None}
    assert suppress_counts({"a": 30, "b": 5, "c": 3}, 11) == {"a": 30, "b": None, "c": None}
    assert suppress_counts({"a": 30, "b": 5}, 11, total_shown=False) == {"a": 30, "b": None}


def _answers(program, org_apps, *, anonymous: bool, burden: int, hours: float, text: str = ""):
    for a in org_apps:
        B.record_answer(a, anonymous=anonymous, hours_spent=hours, who_helped=["colleagues"], clarity=4,
                        fairness=3, respect=5, burden=burden, what_to_change=text)


def _apps(program, n, **org_fields):
    return [F.application(program, F.cbo(**org_fields)) for _ in range(n)]


def test_report_withheld_below_k(world):
    _answers(world.program, _apps(world.program, 10), anonymous=True, burden=4, hours=20)
    close_survey(world.program)
    report = B.burden_report(world.program)
    assert report.n_answers == 10 and report.shown is False and report.scales == [] and report.free_text == []


def test_report_aggregates_and_group_suppression(world, login):
    big = _apps(world.program, 12, annual_budget_cents=100_000_00)      # under $250k: 12 named answers
    small_group = _apps(world.program, 4, annual_budget_cents=2_000_000_00)  # $1M–$5M: 4 named answers
    _answers(world.program, big, anonymous=False, burden=4, hours=20, text="Shorter form")
    _answers(world.program, small_group, anonymous=False, burden=1, hours=2, text="")
    anon = _apps(world.program, 11)
    _answers(world.program, anon, anonymous=True, burden=2, hours=10, text="Pay us for our time")
    for a in big[:3]:
        decide(a, "award", 50_000_00)
    close_survey(world.program)
    db.session.commit()
    report = B.burden_report(world.program, rng=random.Random(1))
    assert report.n_answers == 27 and report.shown
    assert report.n_anonymous == 11
    burden = next(s for s in report.scales if s.key == "burden")
    assert burden.mean == pytest.approx((12 * 4 + 4 * 1 + 11 * 2) / 27)
    # Level 1 has 4 answers: hidden; complementary suppression hides the next smallest (2: 11).
    assert burden.distribution == {1: None, 2: None, 3: 0, 4: 12, 5: 0}
    # Hours: 4 x 2, 11 x 10, 12 x 20: the 14th of 27 is 10.
    assert report.median_hours == 10 and report.median_award_cents == 50_000_00
    assert report.dollars_per_hour_cents == 50_000_00 // 10
    assert sorted(set(report.free_text)) == ["Pay us for our time", "Shorter form"]
    budget = next(t for t in report.groups if t.label == "Organization budget")
    rows = {r.label: r for r in budget.rows}
    assert rows["under $250k"].n is None and rows["$1M–$5M"].n is None  # complementary suppression
    assert all(v is None for v in rows["$1M–$5M"].means.values()) and rows["$1M–$5M"].mean_hours is None
    html = login(world.users["program_officer"]).get("/programs/health-2026/feedback/burden").get_data(as_text=True)
    assert "fewer than 11: not shown" in html and "Pay us for our time" in html


def test_group_table_shows_groups_of_k(world):
    big = _apps(world.program, 11, annual_budget_cents=100_000_00)
    other = _apps(world.program, 11, annual_budget_cents=2_000_000_00)
    _answers(world.program, big, anonymous=False, burden=4, hours=20)
    _answers(world.program, other, anonymous=False, burden=2, hours=8)
    close_survey(world.program)
    report = B.burden_report(world.program)
    budget = next(t for t in report.groups if t.label == "Organization budget")
    rows = {r.label: r for r in budget.rows}
    assert rows["under $250k"].n == 11 and rows["under $250k"].means["burden"] == 4
    assert rows["$1M–$5M"].mean_hours == 8


def test_funder_overview_by_program(world, login):
    _answers(world.program, _apps(world.program, 11), anonymous=True, burden=3, hours=6)
    second = F.program(world.funder, slug="second")
    _answers(second, _apps(second, 3), anonymous=True, burden=5, hours=40)
    third = F.program(world.funder, slug="third")
    _answers(third, _apps(third, 11), anonymous=True, burden=5, hours=40)
    close_survey(world.program)
    close_survey(second)
    db.session.commit()
    rows = {r.program.slug: r for r in B.funder_overview([world.program, second, third])}
    assert rows["health-2026"].n_answers == 11 and rows["health-2026"].mean_burden == 3
    assert rows["second"].n_answers is None and rows["second"].mean_hours is None
    assert rows["third"].still_open and rows["third"].n_answers is None
    html = login(world.users["program_officer"]).get("/funders/riverside/feedback/burden").get_data(as_text=True)
    assert "fewer than 11: not shown" in html


def test_editing_time_aggregated(world):
    apps = _apps(world.program, 11)
    for i, a in enumerate(apps):
        a.editing_seconds = 3600 * (i + 1)
    db.session.flush()
    report = B.burden_report(world.program)
    assert report.editing_hours_median == 6.0


@pytest.mark.parametrize("app_config", [{"SURVEY_SUPPRESSION_K": 3}])
def test_k_from_config(world, app_config):
    _answers(world.program, _apps(world.program, 3), anonymous=True, burden=3, hours=6)
    close_survey(world.program)
    assert B.burden_report(world.program).shown


def test_results_only_after_the_survey_closes(world, login):
    """While answers still come in, nothing (not even the count) is shown: watching the totals
    change around one applicant's submission cannot reveal their answer."""
    _answers(world.program, _apps(world.program, 12), anonymous=True, burden=3, hours=6, text="Visible later")
    db.session.commit()
    officer = login(world.users["program_officer"])
    report = B.burden_report(world.program)
    assert report.survey_open and not report.shown and report.scales == []
    html = officer.get("/programs/health-2026/feedback/burden").get_data(as_text=True)
    assert "Results appear once it has closed" in html and "Visible later" not in html and "12 answers" not in html
    close_survey(world.program)
    db.session.commit()
    html = officer.get("/programs/health-2026/feedback/burden").get_data(as_text=True)
    assert "12 answers" in html and "Visible later" in html
    # Once closed, the survey takes no more answers.
    late = F.application(world.program, world.cbo)
    db.session.commit()
    r = login(world.users["applicant"]).post(f"/applications/{late.id}/burden-survey", data={"hours_spent": "2"})
    assert r.status_code == 302
    with pytest.raises(B.SurveyError):
        B.record_answer(late, anonymous=True, hours_spent=2, who_helped=[], clarity=None, fairness=None,
                        respect=None, burden=None, what_to_change="")
    assert B.burden_report(world.program).n_answers == 12
