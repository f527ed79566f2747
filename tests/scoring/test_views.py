"""The scoring pages through the real app: configuration with validation at the fields and an
audit event, rescoring, ranking, breakdown, run comparison, the what-if sandbox (which writes
nothing), the applicant's plain-language breakdown, and the `grantflow score` command."""
from __future__ import annotations

import html

import pytest
from flask import render_template
from sqlalchemy import func, inspect, select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.programs.models import ProgramRule
from grantflow.scoring import engine
from grantflow.scoring.models import ScoreRun
from grantflow.decisions.services import decide
from tests import factories as F
from tests.conftest import build_world
from tests.scoring.helpers import leadership, review


@pytest.fixture
def w(app):
    w = build_world()
    leadership(w.cbo, ed_race=("black",))
    review(w.application, w.users["reviewer"], [5, 4, 4])
    db.session.commit()
    return w


def form_data(**overrides):
    """A valid full configuration: every built-in on with weight 1 and its defaults."""
    data = {}
    for c in engine.program_config(db.session.execute(select(__import__("grantflow").programs.models.Program)).scalars().first()):
        prefix = f"rule_{c.key}-"
        if c.enabled:
            data[prefix + "enabled"] = "y"
        data[prefix + "weight"] = "1"
        for p in c.rule.params:
            v = c.params[p.name]
            if p.type == "bool":
                if v:
                    data[prefix + p.name] = "y"
            elif p.type == "mapping":
                data[prefix + p.name] = ""
            else:
                data[prefix + p.name] = "" if v is None else str(v)
    data.update(overrides)
    return data


def test_configure_page_lists_rules_with_descriptions(w, login):
    from tests import factories as F

    housing = F.need(w.funder, "Safe, affordable housing", 1)
    db.session.commit()
    r = login(w.users["program_officer"]).get("/programs/health-2026/scoring")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Led by people of color" in html and "never scored below" in html
    assert "weighted mean of each rule" in html and "Record a score run" in html
    assert f"<td>{housing.id}</td><td>Safe, affordable housing</td>" in html  # ids for the need weights


def test_configure_shows_errors_at_fields_and_keeps_typed_values(w, login):
    client = login(w.users["program_officer"])
    r = client.post("/programs/health-2026/scoring", data=form_data(**{
        "rule_poc_led-weight": "heavy", "rule_poc_led-board_share": "1.5",
        "rule_first_time_small-budget_threshold_dollars": "12.5",
        "rule_chna_alignment-need_weights": "housing"}))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Weight must be a number, like 0.5." in html
    assert 'id="rule_poc_led-weight-error"' in html and 'value="heavy"' in html
    assert "Board share must be at most 1." in html and 'value="1.5"' in html
    assert "must be a whole number" in html
    assert "Line 1 of need weights needs the form" in html
    assert db.session.execute(select(func.count()).select_from(ProgramRule)).scalar_one() == 0


def test_configure_cross_field_and_weight_checks(w, login):
    client = login(w.users["program_officer"])
    data = form_data(**{"rule_poc_led-board_share": "", "rule_poc_led-senior_share": "", "rule_rubric-weight": "0"})
    data.pop("rule_poc_led-use_ed")
    r = client.post("/programs/health-2026/scoring", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Use at least one test" in html
    assert "A rule in use needs a weight above 0" in html


def test_need_weights_for_needs_that_do_not_exist_are_refused_at_the_field(w, login):
    housing = F.need(w.funder, "Housing", 1)
    db.session.commit()
    client = login(w.users["program_officer"])
    typed = f"{housing.id} = 2\n99 = 1"
    r = client.post("/programs/health-2026/scoring", data=form_data(**{"rule_chna_alignment-need_weights": typed}))
    body = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert 'id="rule_chna_alignment-need_weights-error"' in body
    assert f"There is no CHNA need 99. Use the ids or keys that exist ({housing.id} = Housing)." in body
    assert typed in body  # what was typed is kept
    assert db.session.execute(select(ProgramRule)).first() is None


def test_shares_of_the_total_are_shown_and_a_new_program_is_led_by_merit(w, login):
    client = login(w.users["program_officer"])
    page = html.unescape(client.get("/programs/health-2026/scoring").get_data(as_text=True))
    assert '<td class="num" id="merit-share">60%</td>' in page
    assert '<td class="num" id="priority-share">40%</td>' in page
    assert 'data-share-of="poc_led">7%</td>' in page  # 1 of 15
    assert 'src="/static/scoring-shares.js"' in page and "<script>" not in page
    # As typed, even before it is saved: the priority rules outweigh the rubric, and the page says so.
    r = client.post("/programs/health-2026/scoring", data=form_data(**{"rule_rubric-weight": "1",
                                                                       "rule_poc_led-weight": "-1"}))
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and '<td class="num" id="merit-share">17%</td>' in page  # 1 of 6: poc_led's -1 counts as 0
    assert 'id="share-warning" hidden' not in page and "outweigh the reviewers' rubric" in page


def test_saving_the_configuration_writes_rules_and_an_audit_event(w, login):
    client = login(w.users["program_officer"])
    first, second = F.need(w.funder, "Housing", 1), F.need(w.funder, "Food", 2)
    db.session.commit()
    data = form_data(**{"rule_poc_led-weight": "3", "rule_poc_led-combine": "and",
                        "rule_chna_alignment-need_weights": f"{second.id} = 2\n{first.id} = 1"})
    data.pop("rule_place_need-enabled")
    r = client.post("/programs/health-2026/scoring", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    rows = {r.rule_key: r for r in db.session.execute(select(ProgramRule)).scalars()}
    assert float(rows["poc_led"].weight) == 3 and rows["poc_led"].params["combine"] == "and"
    assert rows["chna_alignment"].params["need_weights"] == {str(first.id): 1.0, str(second.id): 2.0}
    assert rows["place_need"].enabled is False
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "scoring.configure")).scalar_one()
    assert event.actor_id == w.users["program_officer"].id and event.after["poc_led"]["weight"] == 3
    page = client.get("/programs/health-2026/scoring").get_data(as_text=True)
    assert f"{second.id} = 2" in page  # saved values come back in the form


def test_rescore_results_breakdown_and_compare_pages(w, login):
    client = login(w.users["program_officer"])
    r = client.post("/programs/health-2026/scoring/rescore")
    assert r.status_code == 302
    run = db.session.execute(select(ScoreRun)).scalar_one()
    assert run.created_by_id == w.users["program_officer"].id
    results = client.get("/programs/health-2026/scoring/results").get_data(as_text=True)
    assert "Eastside Tenants Union" in results and "Not reviewed yet" in results  # the other application
    page = client.get(f"/applications/{w.application.id}/score").get_data(as_text=True)
    assert "Led by people of color under this program" in page and "Reviewers&#39; rubric score" in page
    other = client.get(f"/applications/{w.other_application.id}/score").get_data(as_text=True)
    assert "Not yet reviewed" in other
    client.post("/programs/health-2026/scoring", data=form_data(**{"rule_poc_led-weight": "20"}))
    client.post("/programs/health-2026/scoring/rescore")
    cmp = client.get("/programs/health-2026/scoring/compare").get_data(as_text=True)
    assert "Led by people of color: weight 1 → 20" in cmp


def _row_counts():
    tables = inspect(db.engine).get_table_names()
    return {t: db.session.execute(select(func.count()).select_from(db.metadata.tables[t])).scalar_one()
            for t in tables if t in db.metadata.tables}


def test_whatif_shows_ranking_funding_and_shares_and_writes_nothing(w, login):
    engine.rescore(w.program.id)
    db.session.commit()
    client = login(w.users["program_officer"])  # logging in writes its session row
    before = _row_counts()
    r = client.post("/programs/health-2026/what-if", data=form_data(**{"rule_poc_led-weight": "50"}))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Led by people of color" in html and "Community-led" in html and "Serves a priority place" in html
    assert "Funded" in html and "Share of dollars" in html
    db.session.rollback()
    assert _row_counts() == before
    bad = client.post("/programs/health-2026/what-if", data=form_data(**{"rule_poc_led-weight": "-1"}))
    assert bad.status_code == 422 and "Weight must be between 0 and 100." in bad.get_data(as_text=True)
    assert _row_counts() == before


def test_whatif_funds_greedily_within_budget(w):
    from grantflow.scoring.whatif import simulate

    review(w.other_application, w.users["reviewer"], [1, 1, 1])
    w.program.budget_cents = 60_000_00  # room for one of the two 50,000 requests
    saved = engine.program_config(w.program)
    sim = simulate(w.program, saved, saved)
    assert [r.funded for r in sim.rows] == [True, False]
    assert sim.funded_cents == 50_000_00 and sim.rows[0].application_id == w.application.id
    poc = next(g for g in sim.groups if g.label == "Led by people of color")
    assert poc.applicants == 0.5 and poc.funded == 1.0 and poc.dollars == 1.0


def _partial(application):
    return render_template("scoring/_applicant_breakdown.html", application=application)


def test_applicant_sees_plain_breakdown_only_after_release_when_shared(w, app):
    engine.rescore(w.program.id)
    db.session.commit()
    applicant = w.users["applicant"]
    with app.test_request_context():
        from flask_login import login_user

        login_user(applicant)
        assert _partial(w.application).strip() == ""  # decisions not released yet
        decide(w.application, "decline", rationale="Not this year.", actor=w.users["program_officer"])
        F.release(w.program)
        html = _partial(w.application)
        assert "How your application was scored" in html and "Led by people of color" in html
        assert "out of 100" in html
        w.program.share_rule_explanations = False
        assert _partial(w.application).strip() == ""
        w.program.share_rule_explanations = True
        login_user(w.users["other_applicant"])
        assert _partial(w.application).strip() == ""  # never someone else's


def test_score_command_rescores_with_a_progress_bar(w, app):
    result = app.test_cli_runner().invoke(args=["score", "health-2026"])
    assert result.exit_code == 0, result.output
    assert "Scoring health-2026" in result.output and "2 applications × 7 rules" in result.output
    assert db.session.execute(select(func.count()).select_from(ScoreRun)).scalar_one() == 1
    missing = app.test_cli_runner().invoke(args=["score", "nope"])
    assert missing.exit_code != 0 and "no program with the slug 'nope'" in missing.output


def test_evidence_is_rounded_for_people_and_exact_in_the_export(w, login):
    import csv
    import io
    import json

    from tests.scoring.helpers import practice

    practice(w.cbo, board=(9, 7, 2), staff=(3, 1, 1))  # 7 of 9 on the board: 0.777…
    db.session.commit()
    client = login(w.users["program_officer"])
    page = html.unescape(client.get(f"/applications/{w.application.id}/score").get_data(as_text=True))
    assert "board share: 78%" in page and "staff share: 33%" in page
    assert "0.7777" not in page
    rows = list(csv.DictReader(io.StringIO(client.get("/programs/health-2026/board.csv").get_data(as_text=True))))
    evidence = json.loads(next(r for r in rows if r["application_id"] == str(w.application.id))["evidence"])
    assert evidence["community_led"]["board_share"] == 7 / 9


def test_parameters_pointing_at_places_or_questions_that_do_not_exist_are_refused_at_the_field(w, login):
    """`Param.refers` for a place (an int parameter) and for application questions (a mapping's
    keys), through a rule a plugin adds."""
    from grantflow import hookimpl
    from grantflow.plugins import pm
    from grantflow.programs.models import CustomQuestion
    from grantflow.scoring.rules import Param, RuleScore, ScoringRule

    class Focus(ScoringRule):
        key = "zz_focus"
        label = "Focus place"
        description = "Points for the focus place and for answers."
        default_enabled = False
        params = (Param("focus_place", "int", None, label="Focus place", optional=True, refers="place"),
                  Param("question_points", "mapping", {}, label="Points per question", min=0, max=10,
                        refers="question"))

        def score(self, facts, ctx, params):
            return RuleScore(1, 1, "Full marks.")

    class Plugin:
        @hookimpl
        def grantflow_scoring_rules(self):
            return [Focus()]

    plugin = Plugin()
    pm.register(plugin, "zz_focus")
    try:
        tract = F.place(w.funder, "06001400100", name="Tract 4001")
        db.session.add(CustomQuestion(program_id=w.program.id, key="youth_led", label="Youth-led?",
                                      kind="single_choice", options=["yes", "no"]))
        db.session.commit()
        client = login(w.users["program_officer"])
        bad = form_data(**{"rule_zz_focus-enabled": "y", "rule_zz_focus-focus_place": "999999",
                           "rule_zz_focus-question_points": "youth_led = 2\nno_such_question = 1"})
        r = client.post("/programs/health-2026/scoring", data=bad)
        body = html.unescape(r.get_data(as_text=True))
        assert r.status_code == 422
        assert 'id="rule_zz_focus-focus_place-error"' in body
        assert f"There is no place 999999. Use the ids or keys that exist ({tract.id} = Tract 4001)." in body
        assert 'id="rule_zz_focus-question_points-error"' in body
        assert "There is no application question no_such_question." in body and "youth_led = Youth-led?" in body
        assert "no_such_question = 1" in body  # what was typed is kept
        assert db.session.execute(select(ProgramRule)).first() is None
        good = {**bad, "rule_zz_focus-focus_place": str(tract.id), "rule_zz_focus-question_points": "youth_led = 2"}
        assert client.post("/programs/health-2026/scoring", data=good).status_code == 302
        db.session.expire_all()
        saved = db.session.execute(select(ProgramRule).where(ProgramRule.rule_key == "zz_focus")).scalar_one()
        assert saved.params == {"focus_place": tract.id, "question_points": {"youth_led": 2.0}}
    finally:
        pm.unregister(plugin)
