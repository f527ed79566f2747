"""The funder's own content per language, beyond titles and labels: a question's choices, a
criterion's anchors, the CHNA's need names, "you said, we did" and letter wordings are each given
in Spanish on the translations page (saved rows read back after the session is expired, on SQLite
and PostgreSQL); applicants and advisors reading Spanish see them, and what is left untranslated
in English marked `lang="en"` (the help text too); a choice chosen on a Spanish page is stored as
the funder wrote it. Bad input comes back at its box with what was typed. A page reads the
translations of the objects it shows, not every row of their kind."""
from __future__ import annotations

import re

from sqlalchemy import select

from grantflow.applications.models import Answer
from grantflow.chna.models import PriorityNeed
from grantflow.core.db import db
from grantflow.core.translations import ContentTranslation
from grantflow.feedback.models import YouSaidWeDid
from grantflow.letters.models import LetterTemplate
from grantflow.programs.models import CustomQuestion, option_field
from tests import factories as F
from tests.conftest import build_world
from tests.queries import recorded

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
URL = "/programs/health-2026/translations?locale=es"


def _content(w):
    """A choice question with help, a need with a description, two "you said, we did" entries and
    the funder's own award wording."""
    q = CustomQuestion(program=w.program, key="lang", label="Main language", help_text="The one most members speak.",
                       kind="single_choice", options=["Spanish", "English", "Mixteco"])
    db.session.add(q)
    need = F.need(w.funder, "Housing stability", 1, description="Rent burden and evictions.")
    F.need(w.funder, "Food access", 2)
    said = [YouSaidWeDid(program_id=w.program.id, theme="burden", we_heard="The form was long.",
                         we_did="We cut it to one page."),
            YouSaidWeDid(program_id=w.program.id, theme="fairness", we_heard="Scoring was unclear.",
                         we_did="We publish the rubric.")]
    letter = LetterTemplate(program_id=w.program.id, kind="award", body="Dear {{ recipient }}, you are funded.",
                            payment_schedule="Two payments.", include_feedback=False)
    db.session.add_all([*said, letter])
    db.session.commit()
    return q, need, said, letter


def _box(obj, field):
    return f"{type(obj).__name__.lower()}-{obj.id}-{field.replace(':', '-')}"


def test_choices_anchors_needs_you_said_and_letters_given_in_spanish(any_app):
    w = build_world()
    q, need, said, letter = _content(w)
    criterion = w.program.current_rubric.criteria[0]
    officer = any_app.test_client(user=w.users["program_officer"])
    form = officer.get(URL).get_data(as_text=True)
    for source in ("English: Mixteco", "English: Level 3", "English: Rent burden and evictions.",
                   "English: We cut it to one page.", "English: Two payments."):
        assert source in form
    spanish_form = officer.get(URL, headers=SPANISH).get_data(as_text=True)
    assert 'En inglés: <span lang="en">Mixteco</span>' in spanish_form  # the source, marked as English
    boxes = {_box(q, option_field("Spanish")): "Español", _box(q, option_field("English")): "Inglés",
             _box(criterion, "anchor:3"): "Nivel tres", _box(need, "name"): "Vivienda estable",
             _box(said[0], "we_heard"): "El formulario era largo.",
             _box(said[0], "we_did"): "Lo redujimos a una página.",
             _box(letter, "body"): "Estimada/o {{ recipient }}: su proyecto recibe fondos."}
    assert officer.post(URL, data=boxes).status_code == 302

    db.session.expire_all()
    rows = {(r.kind, r.object_id, r.field): r.text for r in db.session.execute(select(ContentTranslation)).scalars()}
    assert rows == {
        ("question", q.id, option_field("Spanish")): "Español", ("question", q.id, option_field("English")): "Inglés",
        ("criterion", criterion.id, "anchor:3"): "Nivel tres", ("need", need.id, "name"): "Vivienda estable",
        ("you_said", said[0].id, "we_heard"): "El formulario era largo.",
        ("you_said", said[0].id, "we_did"): "Lo redujimos a una página.",
        ("letter", letter.id, "body"): "Estimada/o {{ recipient }}: su proyecto recibe fondos."}

    # The program page (the outline of the form and the rubric): translated where given, else marked.
    page = any_app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True)
    assert "<li>3: Nivel tres</li>" in page and '<li>4: <span lang="en">Level 4</span></li>' in page
    assert '<li>Vivienda estable</li>' in page and '<li lang="en">Food access</li>' in page
    assert 'Español; Inglés; <span lang="en">Mixteco</span>' in page

    # The draft: the choices and the needs in Spanish, the untranslated ones and the help marked.
    draft = F.application(w.program, w.cbo, status="draft")
    db.session.commit()
    applicant = any_app.test_client(user=w.users["applicant"])
    edit = applicant.get(f"/applications/{draft.id}/edit", headers=SPANISH).get_data(as_text=True)
    assert re.search(r'value="Spanish"[^>]*> <label[^>]*>Español</label>', edit)
    assert re.search(r'value="Mixteco"[^>]*> <label[^>]*><span lang="en">Mixteco</span></label>', edit)
    assert '<span lang="en">The one most members speak.</span>' in edit  # the help's fallback
    assert "1. Vivienda estable" in edit and '2. <span lang="en">Food access</span>' in edit
    # Chosen on the Spanish page, the answer is stored as the funder wrote the choice.
    saved = applicant.post(f"/applications/{draft.id}/edit", headers=SPANISH,
                           data={"action": "save", "title": "Promotoras", "q_lang": "Spanish"})
    assert saved.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.execute(select(Answer.value).where(Answer.application_id == draft.id,
                                                         Answer.question_id == q.id)).scalar_one() == "Spanish"

    # "You said, we did": the translated entry in Spanish, the other in English, marked.
    you_said = applicant.get("/programs/health-2026/you-said-we-did", headers=SPANISH).get_data(as_text=True)
    assert "El formulario era largo." in you_said and "Lo redujimos a una página." in you_said
    assert '<span lang="en">Scoring was unclear.</span>' in you_said
    # The community advisor ranks the needs by the names in their language.
    advise = any_app.test_client(user=w.users["community_advisor"]).get("/funders/riverside/advise", headers=SPANISH)
    text = advise.get_data(as_text=True)
    assert "<strong>Vivienda estable</strong>" in text and '<strong lang="en">Food access</strong>' in text
    assert '<br><span lang="en">Rent burden and evictions.</span>' in text


def test_bad_input_comes_back_at_its_box_with_what_was_typed(any_app):
    w = build_world()
    q, _need, _said, letter = _content(w)
    officer = any_app.test_client(user=w.users["program_officer"])
    long_choice, bad_letter = "x" * 201, "Estimada/o {{ destinatario }}:"
    response = officer.post(URL, data={_box(q, option_field("Spanish")): long_choice, _box(letter, "body"): bad_letter,
                                       _box(w.program, "title"): "Salud 2026"}, headers=SPANISH)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "200 caracteres" in page  # at the choice's box, in the officer's language
    assert "Marcador desconocido {{ destinatario }}" in page
    assert long_choice in page and bad_letter in page and "Salud 2026" in page
    db.session.expire_all()
    assert db.session.execute(select(ContentTranslation)).first() is None  # nothing half-saved


def test_a_page_reads_the_translations_of_what_it_shows_only(any_app):
    """Another program's and another funder's translations are not read for this program's page."""
    w = build_world()
    officer = any_app.test_client(user=w.users["program_officer"])
    assert officer.post(URL, data={_box(w.program, "title"): "Salud 2026"}).status_code == 302
    others = [F.program(w.funder, slug=f"other-{n}", title=f"Other {n}") for n in range(3)]
    db.session.commit()
    ids, shown = {p.id for p in others}, w.program.id
    for p in others:
        db.session.add(ContentTranslation(kind="program", object_id=p.id, field="title", locale="es", text="Otro"))
    db.session.commit()
    db.session.expunge_all()  # as a request of its own starts: holding none of the test's objects
    with recorded() as statements:
        page = any_app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True)
    assert "<h1>Salud 2026</h1>" in page
    reads = [(sql, _values(params)) for sql, params in statements if "content_translations" in sql]
    programs = [values for _sql, values in reads if "program" in values]
    # Each read names the objects shown (the program), never the others of its kind.
    assert programs and all(shown in values and ids.isdisjoint(values) for values in programs), programs
    # One query per kind the page shows (program, question, criterion, need), not one per object.
    assert len(reads) <= 4, [sql for sql, _ in reads]


def test_the_translations_page_reads_one_query_per_kind_whatever_the_number_of_objects(any_app):
    w = build_world()
    _content(w)
    for n in range(12):
        F.need(w.funder, f"Need {n}", n + 3)
    db.session.commit()
    officer = any_app.test_client(user=w.users["program_officer"])
    db.session.expunge_all()  # as a request of its own starts: holding none of the test's objects
    with recorded() as statements:
        assert officer.get(URL).status_code == 200
    reads = [sql for sql, _params in statements if "content_translations" in sql]
    # program, question, criterion, need, "you said, we did", letter: one each, not one per object.
    assert 1 <= len(reads) <= 6, reads


def _values(params) -> set:
    return set(params.values() if isinstance(params, dict) else params)


def test_untranslated_need_names_are_marked_on_the_sent_application(any_app):
    w = build_world()
    need = F.need(w.funder, "Housing stability", 1)
    w.application.needs.append(need)
    db.session.add(PriorityNeed(funder_id=w.funder.id, name="Unused", rank=2))
    db.session.commit()
    page = any_app.test_client(user=w.users["applicant"]).get(f"/applications/{w.application.id}", headers=SPANISH)
    assert '<span lang="en">Housing stability</span>' in page.get_data(as_text=True)


def test_a_new_rubric_version_keeps_the_criteria_s_translations(any_app):
    """Editing a rubric that has reviews makes a new version with new criteria: their Spanish goes with them."""
    from decimal import Decimal

    from grantflow.core import translations
    from grantflow.programs import rubrics
    from grantflow.reviews.models import Review

    w = build_world()
    v1 = w.program.current_rubric
    first, second = v1.criteria[0], v1.criteria[1]
    translations.save(first, "es", {"label": "Alcance", "anchor:5": "Excelente"})
    db.session.add(Review(application_id=w.application.id, reviewer_id=w.users["reviewer"].id, rubric_id=v1.id,
                          status="submitted"))
    db.session.commit()
    rubrics.update_criterion(w.program, second.id, {"weight": Decimal(4)})
    db.session.commit()
    db.session.expire_all()
    v2 = w.program.current_rubric
    assert v2.id != v1.id
    copied = v2.criteria[0]
    assert copied.id != first.id
    assert translations.stored(copied, "es") == {"label": "Alcance", "anchor:5": "Excelente"}
    page = any_app.test_client().get("/programs/health-2026", headers=SPANISH).get_data(as_text=True)
    assert "<span>Alcance</span>" in page and "<li>5: Excelente</li>" in page
