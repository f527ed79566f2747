"""Reviewers read the funder's own content in their language: the program's title, the criteria's
labels, guidance and anchors, the questions' labels and help, the choices an applicant picked and
the needs' names are the funder's Spanish where it gave it, else its English marked `lang="en"`;
what the applicant typed stays as typed, in the language it was typed in, and blind review still
hides whatever of the applicant's would name them. A page with many criteria and questions reads
their translations in one query per kind, not one per object."""
from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from grantflow.applications.models import Answer
from grantflow.core import translations
from grantflow.core.db import db, utcnow
from grantflow.programs.models import CustomQuestion, option_field
from grantflow.reviews.models import Review, ReviewAssignment
from tests import factories as F
from tests.conftest import build_world
from tests.queries import recorded
from tests.reviews.helpers import review as make_review

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def _spanish_content(w, program, application, *, partner: str = "Partner of a network"):
    """Questions answered by `application` (a choice and a typed answer), two needs it addresses,
    and the funder's Spanish for the program's title, its first criterion, the questions, one of the
    choices and one need; the second criterion and the other need are left in English."""
    pick = CustomQuestion(program=program, key="lang", label="Main language", help_text="The one most members speak.",
                          kind="single_choice", options=["Spanish", "English", partner], position=0)
    why = CustomQuestion(program=program, key="why", label="Why now?", help_text="", kind="short_text", position=1)
    db.session.add_all([pick, why])
    housing, food = F.need(program.funder, "Housing stability", 1), F.need(program.funder, "Food access", 2)
    application.needs.extend([housing, food])
    db.session.flush()
    db.session.add_all([Answer(application_id=application.id, question_id=pick.id, value="Spanish"),
                        Answer(application_id=application.id, question_id=why.id,
                               value="Eastside Tenants Union saw rents double.")])
    first = program.current_rubric.criteria[0]
    translations.save(program, "es", {"title": "Salud Comunitaria 2026"})
    translations.save(first, "es", {"label": "Alcance", "guidance": "¿Cuánta gente alcanza?", "anchor:3": "Nivel tres"})
    translations.save(pick, "es", {"label": "Idioma principal", option_field("Spanish"): "Español",
                                   option_field(partner): "Socia de Eastside Tenants Union"})
    translations.save(why, "es", {"label": "¿Por qué ahora?"})
    translations.save(housing, "es", {"name": "Vivienda estable"})
    db.session.commit()
    return pick, why


def _confirmed(assignment):
    assignment.no_conflict_confirmed_at = utcnow()
    db.session.commit()


def test_a_spanish_reading_reviewer_reads_the_funder_s_spanish_on_the_review_page(any_app):
    w = build_world()
    _spanish_content(w, w.program, w.application)
    w.users["reviewer"].locale = "es"  # the reviewer's saved language: no Accept-Language needed
    db.session.commit()
    client = any_app.test_client(user=w.users["reviewer"])
    declare = client.get(f"/reviews/{w.application.id}").get_data(as_text=True)  # before the review: conflicts
    assert "para Salud Comunitaria 2026." in declare
    assert '<p class="prose" lang="en">We connect residents to care.</p>' in declare  # the summary, as typed
    _confirmed(w.assignment)
    page = client.get(f"/reviews/{w.application.id}").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert '<p class="meta">Salud Comunitaria 2026 · ' in page  # the program's title
    # The criteria: the translated one in Spanish, its untranslated anchors and the other criterion marked.
    assert "<legend>Alcance" in page and "¿Cuánta gente alcanza? (" in page
    assert re.search(r'value="3"[^>]*> <label[^>]*>3 — Nivel tres</label>', page)
    assert re.search(r'value="4"[^>]*> <label[^>]*>4 — <span lang="en">Level 4</span></label>', page)
    assert '<legend><span lang="en">Criterion 2</span>' in page
    assert '<span lang="en">How well does the proposal do this?</span> (' in page
    # The application: the questions and the picked choice in Spanish, the help marked, the needs.
    assert "<dt>Idioma principal</dt>" in page and '<dd class="meta" lang="en">The one most members speak.</dd>' in page
    assert '<dd class="prose">Español</dd>' in page
    assert "<dt>¿Por qué ahora?</dt>" in page
    # What the applicant typed is as typed, in the language it was typed in.
    assert '<dd class="prose" lang="en">Eastside Tenants Union saw rents double.</dd>' in page
    assert '<dd>Vivienda estable, <span lang="en">Food access</span></dd>' in page
    assert "Main language" not in page and "Community Health 2026" not in page


def test_the_spanish_review_form_keeps_what_was_typed_and_shows_others_scores_under_spanish_headers(any_app):
    w = build_world()
    _spanish_content(w, w.program, w.application)
    w.program.reviewers_see_others = True
    make_review(w.application, w.users["other_reviewer"], [4, 2, 5])
    _confirmed(w.assignment)
    first, second, third = (c.id for c in w.program.current_rubric.criteria)
    client = any_app.test_client(user=w.users["reviewer"])
    url = f"/reviews/{w.application.id}"
    r = client.post(url, headers=SPANISH, data={f"criterion_{first}": "3", f"criterion_{third}": "5",
                                                "comment_to_applicant": "Un plan claro.", "submit": "1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    # At the criterion left blank, named as the reader reads it (its English, marked).
    error = ('Elija una calificación para “<span lang="en">Criterion 2</span>”, o guarde la evaluación como '
             'borrador.')
    assert f'<p class="error" id="criterion_{second}-error">{error}' in page
    assert f'<a href="#criterion_{second}"><span lang="en">Criterion 2</span>: {error}</a>' in page
    assert "Un plan claro." in page
    assert re.search(rf'checked id="criterion_{first}-2" name="criterion_{first}" type="radio" value="3"', page)
    assert re.search(rf'<input[^>]*value="3"[^>]*> <label for="criterion_{first}-2">3 — Nivel tres</label>', page)
    r = client.post(url, headers=SPANISH, data={f"criterion_{first}": "3", f"criterion_{second}": "4",
                                                f"criterion_{third}": "5", "comment_to_applicant": "Un plan claro.",
                                                "submit": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    own = db.session.execute(select(Review).where(Review.assignment_id == w.assignment.id)).scalar_one()
    assert own.status == "submitted" and own.comment_to_applicant == "Un plan claro."
    assert {s.criterion_id: s.score for s in own.scores} == {first: 3, second: 4, third: 5}
    page = client.get(url, headers=SPANISH).get_data(as_text=True)
    assert '<th scope="col" class="num">Alcance</th>' in page
    assert '<th scope="col" class="num" lang="en">Criterion 2</th>' in page


def test_the_application_page_a_reviewer_opens_outside_blind_review_is_in_spanish(any_app):
    w = build_world()
    _spanish_content(w, w.program, w.application)
    page = any_app.test_client(user=w.users["reviewer"]).get(f"/applications/{w.application.id}", headers=SPANISH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<p class="meta">Salud Comunitaria 2026 · ' in text and "Preguntas de Salud Comunitaria 2026" in text
    assert '<dt>Idioma principal</dt><dd class="prose">Español</dd>' in text
    # What the applicant typed, marked with the language it was typed in.
    assert '<dt>¿Por qué ahora?</dt><dd class="prose" lang="en">Eastside Tenants Union saw rents double.</dd>' in text
    assert 'Vivienda estable; <span lang="en">Food access</span>' in text


def test_the_blind_application_shown_to_reviewers_is_in_spanish_and_still_masked(any_app):
    w = build_world()
    blind = F.program(w.funder, slug="blind-2026", title="Community Health 2026", blind_review=True)
    application = F.application(blind, w.cbo)
    partner = "Partner of Eastside Tenants Union"
    pick, _why = _spanish_content(w, blind, application, partner=partner)
    db.session.get(Answer, db.session.execute(select(Answer.id).where(
        Answer.application_id == application.id, Answer.question_id == pick.id)).scalar_one()).value = partner
    db.session.add(ReviewAssignment(application=application, reviewer=w.users["reviewer"]))
    db.session.commit()
    client = any_app.test_client(user=w.users["reviewer"])
    assert client.post("/programs/blind-2026/conflicts", data={"affiliations": ""}, headers=SPANISH).status_code == 302
    for url in (f"/applications/{application.id}", f"/reviews/{application.id}"):
        page = client.get(url, headers=SPANISH).get_data(as_text=True)
        assert "Salud Comunitaria 2026" in page, url
        assert "<dt>Idioma principal</dt>" in page and "<dt>¿Por qué ahora?</dt>" in page, url
        assert '<dd>Vivienda estable, <span lang="en">Food access</span></dd>' in page, url
        # The funder's Spanish names nobody; the choice the applicant picked and what they typed are masked.
        assert '<dd class="prose">Socia de [Applicant]</dd>' in page, url
        assert '<dd class="prose" lang="en">[Applicant] saw rents double.</dd>' in page, url
        assert "Eastside" not in page, url


def test_the_reviewer_dashboard_and_the_advisor_s_ranking_form_name_the_funder_s_content_in_spanish(any_app):
    w = build_world()
    _spanish_content(w, w.program, w.application)
    dashboard = any_app.test_client(user=w.users["reviewer"]).get("/dashboard", headers=SPANISH).get_data(as_text=True)
    assert f">Salud Comunitaria 2026 — solicitud n.º {w.application.id}</a>" in dashboard
    advisor = any_app.test_client(user=w.users["community_advisor"])
    needs = sorted(w.application.needs, key=lambda n: n.rank)
    page = advisor.get("/funders/riverside/advise", headers=SPANISH).get_data(as_text=True)
    assert "Posición de Vivienda estable" in page and 'Posición de <span lang="en">Food access</span>' in page
    assert 'Comentario sobre <span lang="en">Food access</span>' in page
    # The same rank twice: the message names the need as the advisor reads it, at the field.
    r = advisor.post("/funders/riverside/advise", headers=SPANISH,
                     data={f"need_{needs[0].id}_rank": "1", f"need_{needs[1].id}_rank": "1",
                           f"need_{needs[1].id}_comment": "Muy urgente."})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "La posición 1 ya se le dio a Vivienda estable; use cada posición una sola vez." in page
    assert "Muy urgente." in page


def _review_page_statements(client, url) -> list[str]:
    """The statements one review page sends, as a request of its own starts: holding none of the
    test's objects nor any translation read before."""
    db.session.expunge_all()
    g.pop("gf_translations", None)
    with recorded() as statements:
        response = client.get(url, headers=SPANISH)
    assert response.status_code == 200
    return [sql for sql, _params in statements]


def test_a_review_page_with_many_criteria_and_questions_sends_as_many_queries_as_a_small_one(any_app):
    w = build_world()
    pages = {}
    for n, slug in ((2, "small-2026"), (40, "large-2026")):
        program = F.program(w.funder, slug=slug, criteria=n)
        application = F.application(program, w.cbo)
        questions = [CustomQuestion(program=program, key=f"q{i}", label=f"Question {i}", help_text=f"Help {i}",
                                    kind="single_choice", options=["Yes", "No"], position=i) for i in range(n)]
        db.session.add_all(questions)
        db.session.flush()
        db.session.add_all(Answer(application_id=application.id, question_id=q.id, value="Yes") for q in questions)
        application.needs.extend(F.need(w.funder, f"{slug} need {i}", i + 1) for i in range(n))
        for c in program.current_rubric.criteria[::2]:
            translations.save(c, "es", {"label": f"Criterio {c.id}", "anchor:2": "Dos"})
        for q in questions[::2]:
            translations.save(q, "es", {"label": f"Pregunta {q.id}", option_field("Yes"): "Sí"})
        db.session.add(ReviewAssignment(application=application, reviewer=w.users["reviewer"],
                                        no_conflict_confirmed_at=utcnow()))
        db.session.commit()
        pages[n] = f"/reviews/{application.id}"
    client = any_app.test_client(user=w.users["reviewer"])
    small, large = (_review_page_statements(client, pages[n]) for n in (2, 40))
    assert "Criterio" in client.get(pages[40], headers=SPANISH).get_data(as_text=True)
    reads = [sql for sql in large if "content_translations" in sql]
    # program, criterion, question, need: one query each, whatever their number.
    assert 1 <= len(reads) <= 4, reads
    assert len(large) == len(small), (len(small), len(large))
