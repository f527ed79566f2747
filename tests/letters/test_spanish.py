"""A Spanish-preferring organization gets its letters and messages in Spanish: the award letter's
PDF (read back: its words, its `lang`, still tagged PDF/UA), the release and letter messages from
the outbox; an English-speaking one in the same program keeps English. A wording the funder wrote
itself goes in its Spanish where given, else in GrantFlow's Spanish (the funder's own terms kept),
else in English. The grant agreement follows the organization's language too."""
from __future__ import annotations

from sqlalchemy import delete, select

from grantflow.core import files
from grantflow.core import outbox as ob
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.core.translations import ContentTranslation
from grantflow.letters import agreements, services
from grantflow.letters.models import GrantAgreement, IssuedLetter, LetterTemplate
from grantflow.letters.render import head_for, letter_data, letter_pdf, wording_for
from tests import factories as F
from tests.letters import pdfcheck as C
from tests.letters.conftest import download


def _issue(login, w, decision):
    officer = login(w.users["program_officer"])
    assert officer.post(f"/programs/health-2026/letters/{decision.id}/issue",
                        data={"submit": "Issue letter"}).status_code == 302
    return db.session.execute(select(IssuedLetter).where(IssuedLetter.decision_id == decision.id)).scalar_one()


def _released_to_spanish_speakers(w):
    """Eastside reads Spanish; the program's decisions are released."""
    w.cbo.language = "es"
    db.session.commit()
    F.release(w.program)
    db.session.commit()


def test_a_spanish_speaking_organization_gets_its_award_letter_and_messages_in_spanish(app, letters_world, login):
    w = letters_world
    _released_to_spanish_speakers(w)
    letter = _issue(login, w, w.award)

    _, pdf = download(login(w.users["applicant"]), f"/applications/{w.application.id}/letters/{letter.id}")
    text = C.flat(pdf)
    assert "Estimada/o Maria Lopez:" in text
    assert "fue aprobada para una subvención de 25.000,00 US$" in text.replace("\xa0", " ")
    assert "1 de enero de 2027 – 31 de diciembre de 2027" in text  # the grant period, in Spanish
    assert "Otorgamiento de la subvención" in text and "Atentamente," in text
    assert "Dear" not in text and "Sincerely" not in text
    meta = C.info(pdf)
    assert meta["lang"] == "es" and meta["tagged"] and "pdfuaid:part" in meta["xmp"]
    assert meta["title"].startswith("Carta de otorgamiento — Eastside Tenants Union")

    [mail] = [m for m in outbox() if m["To"] == "applicant@eastside.org" and "carta" in m["Subject"]]
    assert mail["Subject"] == "Su carta de otorgamiento de Riverside Health Foundation"
    assert "Riverside Health Foundation le envió su carta de otorgamiento para Community Health 2026." in mail.get_content()


def test_the_release_message_is_in_the_organization_s_language(app, letters_world):
    w = letters_world
    _released_to_spanish_speakers(w)
    ob.sweep()  # the release's messages leave once its hold is over
    spanish = [m for m in outbox() if m["To"] == "applicant@eastside.org"]
    english = [m for m in outbox() if m["To"] == "applicant@northside.org"]
    assert spanish and english
    assert spanish[0]["Subject"] == "Decisión sobre su solicitud a Community Health 2026"
    assert "fue aprobada con una subvención de 25.000,00 US$" in spanish[0].get_content().replace("\xa0", " ")
    assert english[0]["Subject"] == "Decision on your application to Community Health 2026"


def test_english_stays_english(app, letters_world):
    w = letters_world
    data = letter_data(w.decline)
    assert data.language == "en" and "Dear" in C.flat(letter_pdf(data, wording_for(w.program.id, "decline"),
                                                                  head_for(w.funder.id, w.funder.name)))


def _award_pdf(w):
    data = letter_data(w.award)
    return data, letter_pdf(data, wording_for(w.program.id, "award"), head_for(w.funder.id, w.funder.name))


def test_the_funder_s_own_wording_in_spanish_then_the_spanish_default_then_english(any_app, any_letters_world,
                                                                                  monkeypatch, tmp_path):
    """A Spanish-preferring organization gets the funder's Spanish for its award letter, given on
    the translations page; with none, GrantFlow's Spanish wording around the funder's own terms;
    where the product has no wording in the language either, the funder's English, marked so."""
    from grantflow.letters import wording as wording_module

    w = any_letters_world
    w.cbo.language = "es"
    template = LetterTemplate(program_id=w.program.id, kind="award", body="Dear {{ recipient }}, well done.",
                              payment_schedule="Two payments: March and September.",
                              reporting_requirements="A short report, in writing or in a conversation, at the end of "
                                                     "the grant period.", include_feedback=False)
    db.session.add(template)
    db.session.commit()

    # No Spanish from the funder: GrantFlow's Spanish award wording, with the funder's own terms.
    data, pdf = _award_pdf(w)
    text = C.flat(pdf)
    assert data.language == "es" and C.info(pdf)["lang"] == "es"
    assert "Estimada/o Maria Lopez:" in text and "well done" not in text
    assert "Two payments: March and September." in text  # the terms it wrote bind it: kept as written
    assert "Un informe breve" in text  # its reporting was still GrantFlow's English default: in Spanish

    # The funder gives its wording in Spanish on the translations page.
    officer = any_app.test_client(user=w.users["program_officer"])
    boxes = {f"lettertemplate-{template.id}-body": "Estimada/o {{ recipient }}: ¡felicitaciones!\n\n"
                                                   "Pagos: {{ payment_schedule }}",
             f"lettertemplate-{template.id}-payment_schedule": "Dos pagos: marzo y septiembre."}
    assert officer.post("/programs/health-2026/translations?locale=es", data=boxes).status_code == 302
    db.session.expire_all()
    data, pdf = _award_pdf(w)
    text = C.flat(pdf)
    assert "Estimada/o Maria Lopez: ¡felicitaciones!" in text and "Pagos: Dos pagos: marzo y septiembre." in text
    assert C.info(pdf)["lang"] == "es" and "Atentamente," in text

    # A language the product has no wording in, and none from the funder: English.
    english_only = tmp_path / "defaults"
    english_only.mkdir()
    for path in wording_module.DEFAULTS_DIR.glob("default_*.txt"):
        if path.suffixes == [".txt"]:
            (english_only / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(wording_module, "DEFAULTS_DIR", english_only)
    db.session.execute(delete(ContentTranslation))
    db.session.commit()
    data, pdf = _award_pdf(w)
    assert data.language == "en" and C.info(pdf)["lang"] == "en"
    assert "Dear Maria Lopez, well done." in C.flat(pdf) and "Sincerely," in C.flat(pdf)


def _offered_agreement(w, officer) -> bytes:
    """The PDF of the award's agreement as offered now (read back from storage)."""
    response = officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"})
    assert response.status_code == 302
    db.session.expire_all()
    newest = db.session.execute(select(GrantAgreement).order_by(GrantAgreement.id.desc()).limit(1)).scalar_one()
    return files.read(agreements.key_of(newest.stored_name))


def test_a_spanish_speaking_organization_s_grant_agreement_is_in_spanish(any_app, any_letters_world):
    w = any_letters_world
    _released_to_spanish_speakers(w)
    officer = any_app.test_client(user=w.users["program_officer"])
    pdf = _offered_agreement(w, officer)
    text = C.flat(pdf).replace("\xa0", " ")
    assert "Este acuerdo de subvención se celebra entre Riverside Health Foundation" in text
    assert "El financiador otorga 25.000,00 US$" in text and "1 de enero de 2027 – 31 de diciembre de 2027" in text
    assert "Acuerdo de subvención" in text and "Referencia: HEALTH-2026-" in text
    assert "This grant agreement" not in text and "Between" not in text
    meta = C.info(pdf)
    assert meta["lang"] == "es" and meta["tagged"] and meta["title"].startswith("Acuerdo de subvención HEALTH-2026-")
    [mail] = [m for m in outbox() if m["To"] == "applicant@eastside.org" and "acuerdo" in m["Subject"]]
    assert mail["Subject"] == "Su acuerdo de subvención de Riverside Health Foundation"
    content = mail.get_content()
    assert "Riverside Health Foundation le envió el acuerdo de subvención" in content
    assert f"/applications/{w.application.id}/agreement" in content and "La oferta es válida hasta el " in content
    # An English-speaking organization's agreement stays English.
    w.cbo.language = "en"
    db.session.commit()
    pdf = _offered_agreement(w, officer)
    assert "This grant agreement is made between" in C.flat(pdf) and C.info(pdf)["lang"] == "en"


def test_a_spanish_decline_letter_s_feedback_names_the_criteria_in_spanish(app, letters_world):
    """The panel's averages per criterion, in the letter's language: the funder's Spanish label where
    it gave one (the others in English, marked as such), the numbers written the Spanish way."""
    from grantflow.reviews.models import SUBMITTED, CriterionScore, Review

    w = letters_world
    w.other_cbo.language = "es"
    first, second, third = w.program.current_rubric.criteria
    db.session.add(ContentTranslation(kind="criterion", object_id=first.id, field="label", locale="es",
                                      text="Voz de la comunidad"))
    review = Review(application_id=w.other_application.id, rubric_id=w.program.current_rubric.id,
                    reviewer_id=w.users["reviewer"].id, status=SUBMITTED, comment_to_applicant="Muy claro.")
    review.scores = [CriterionScore(criterion_id=c.id, score=s) for c, s in ((first, 4), (second, 3), (third, 5))]
    db.session.add(review)
    db.session.commit()
    letter, _ = services.issue(w.decline)
    pdf = files.read(services.letter_key(letter))
    text = C.flat(pdf)
    assert "Voz de la comunidad 4,0 1–5" in text
    assert "Criterion 2 3,0 1–5" in text  # no Spanish from the funder: its own label
    assert C.info(pdf)["lang"] == "es" and C.info(pdf)["tagged"]


def test_the_officer_reads_a_spanish_speaking_awardee_s_amount_in_the_officer_s_language(app, letters_world, login):
    """Found by hand: the English letter page said "Decision: award, 25.000,00 US$" once the
    organization wrote in Spanish (the letter's own formatting)."""
    import html as html_lib

    w = letters_world
    _released_to_spanish_speakers(w)
    officer = login(w.users["program_officer"])
    page = html_lib.unescape(officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True))
    assert "$25,000.00" in page and "25.000,00" not in page.replace("\xa0", " ")
