"""Rules' explanations are messages worded for whoever reads them: a run scored in English is read
in Spanish, money and percentages follow the reader's language, a plugin's plain text still shows,
run comparison compares the messages, and parameter errors are in the officer's language."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.core.i18n import in_language
from grantflow.scoring import engine
from grantflow.scoring.compare import compare_runs
from grantflow.scoring.explain import Explanation, clauses, explain, money, percent, same
from grantflow.scoring.models import ScoreResult, ScoreRun
from tests.scoring.helpers import configure, review, scoring_world

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def _officer(w):
    from grantflow.core import roles as R
    from tests import factories as F

    return F.user("po@riverside.org", "Pat Officer", org=w.funder, role=R.PROGRAM_OFFICER)


def _page(client, app_id, headers):
    return html.unescape(client.get(f"/applications/{app_id}/score", headers=headers).get_data(as_text=True))


def test_a_run_scored_in_english_is_read_in_any_language(any_app):
    w = scoring_world()
    configure(w.program, {"first_time_small": (1, {}), "community_led": (1, {}), "rubric": (1, {})})
    review(w.apps[0], w.reviewer, [5, 3, 4])
    db.session.commit()
    with in_language("en"):
        run_id = engine.rescore(w.program.id).id
    db.session.commit()
    ids = [a.id for a in w.apps]
    db.session.remove()  # a fresh session: what is read comes from the database

    row = db.session.execute(select(ScoreResult).where(
        ScoreResult.run_id == run_id, ScoreResult.rule_key == "first_time_small",
        ScoreResult.application_id == ids[0])).scalar_one()
    assert row.explanation.startswith("Never funded by this funder before; annual budget $200,000, below $500,000")
    assert row.explanation_message["clauses"][1]["args"] == {"budget": {"money": 200_000_00},
                                                             "limit": {"money": 500_000_00}}
    scores = engine.run_results(db.session.get(ScoreRun, run_id))
    stored = next(r for r in scores[ids[0]].rules if r.rule_key == "first_time_small").explanation
    assert isinstance(stored, Explanation)
    with in_language("es"):
        spanish = str(stored)
    with in_language("en"):
        assert str(stored) == row.explanation
    # Money in Spanish's own format ("200.000 US$"), whole sentences in Spanish.
    assert spanish == ("Nunca antes financiada por este financiador; presupuesto anual de 200.000\xa0US$, "
                       "por debajo de 500.000\xa0US$.")
    community = next(r for r in scores[ids[1]].rules if r.rule_key == "community_led").explanation
    with in_language("es"):
        assert "Junta directiva: 12\xa0% con experiencia vivida" in str(community)  # 1 of 8; Spanish writes "12 %"
    with in_language("en"):
        assert "Board: 12% with lived experience" in str(community)


def test_the_breakdown_page_speaks_the_reader_s_language(any_app):
    w = scoring_world()
    configure(w.program, {"first_time_small": (1, {}), "poc_led": (1, {}), "rubric": (1, {})})
    officer = _officer(w)
    db.session.commit()
    client = any_app.test_client(user=officer)
    spanish = _page(client, w.apps[0].id, SPANISH)
    english = _page(client, w.apps[0].id, ENGLISH)
    assert "presupuesto anual de 200.000\xa0US$, por debajo de 500.000\xa0US$" in spanish
    assert "Dirigida por personas de color según la definición de este programa" in spanish
    assert "al menos el 50\xa0% de la junta directiva" in spanish
    assert "Aún sin evaluar" in spanish and "Not yet reviewed:" not in spanish
    assert "annual budget $200,000, below $500,000" in english
    assert "Led by people of color under this program's definition" in english


def test_a_plugin_s_plain_text_explanation_still_shows(any_app):
    w = scoring_world()
    configure(w.program, {"youth_led": (1, {}), "first_time_small": (1, {})})
    officer = _officer(w)
    db.session.commit()
    run_id = engine.rescore(w.program.id).id
    db.session.commit()
    app_id = w.apps[0].id
    db.session.remove()
    youth = next(r for r in engine.run_results(db.session.get(ScoreRun, run_id))[app_id].rules
                 if r.rule_key == "youth_led")
    assert isinstance(youth.explanation, str) and "not say" in youth.explanation
    assert db.session.execute(select(ScoreResult.explanation_message).where(
        ScoreResult.run_id == run_id, ScoreResult.rule_key == "youth_led")).scalars().all() == [None] * 3
    page = _page(any_app.test_client(user=db.session.merge(officer)), app_id, SPANISH)
    assert youth.explanation in page


def test_compare_reports_a_changed_explanation_in_the_reader_s_language(any_app):
    w = scoring_world()
    configure(w.program, {"first_time_small": (1, {})})
    officer = _officer(w)
    db.session.commit()
    a = engine.rescore(w.program.id)
    from grantflow.programs.models import ProgramRule

    rule = db.session.execute(select(ProgramRule).where(ProgramRule.program_id == w.program.id,
                                                        ProgramRule.rule_key == "first_time_small")).scalar_one()
    rule.params = {"budget_threshold_dollars": 100_000}
    db.session.commit()
    b = engine.rescore(w.program.id)
    db.session.commit()
    db.session.expire_all()
    moved = {m.application_id: m for m in compare_runs(a, b).movements}
    reason = moved[w.apps[0].id].reasons[0]
    assert reason.explanation_changed and "not below $100,000" in str(reason.explanation_after)
    with in_language("es"):  # what the comparison page shows a Spanish reader beside a move
        assert "presupuesto anual de 200.000\xa0US$, no por debajo de 100.000\xa0US$" in str(reason.explanation_after)
    assert any_app.test_client(user=officer).get(
        f"/programs/{w.program.slug}/scoring/compare?a={a.id}&b={b.id}", headers=SPANISH).status_code == 200


def test_same_messages_are_the_same_explanation_whatever_their_wording():
    one = clauses(explain("annual budget %(budget)s", budget=money(5)), explain("x %(s)s", s=percent(0.5)))
    assert one == Explanation.from_json(one.to_json()) and same(one, Explanation.from_json(one.to_json()))
    assert one != clauses(explain("annual budget %(budget)s", budget=money(6)), explain("x %(s)s", s=percent(0.5)))
    assert same("Annual budget $0; x 50%.", one)  # a run stored before messages: compared by its English text


def test_parameter_errors_are_in_the_officer_s_language_at_the_field(app, login):
    from tests.conftest import build_world
    from tests.scoring.test_views import form_data

    w = build_world()
    db.session.commit()
    client = login(w.users["program_officer"])
    r = client.post(f"/programs/{w.program.slug}/scoring", headers=SPANISH, data=form_data(**{
        "rule_poc_led-board_share": "1.5", "rule_rubric-min_reviews": "50",
        "rule_chna_alignment-need_weights": "no separator"}))
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "debe ser como máximo 1." in page and "debe ser como máximo 20." in page
    assert "must be at most" not in page
    assert "La línea 1 de" in page and "debe tener la forma «clave = número»." in page
    assert 'value="1.5"' in page  # nothing typed is lost
