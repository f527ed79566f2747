"""A Spanish-preferring organization gets its letters and messages in Spanish: the award letter's
PDF (read back: its words, its `lang`, still tagged PDF/UA), the release and letter messages from
the outbox; an English-speaking one in the same program keeps English, and a wording the funder
wrote itself is sent as written (in English, with `lang="en"`)."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core import outbox as ob
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.letters.models import IssuedLetter, LetterTemplate
from grantflow.letters.render import head_for, letter_data, letter_pdf, wording_for
from tests import factories as F
from tests.letters import pdfcheck as C
from tests.letters.conftest import download


def _issue(login, w, decision):
    officer = login(w.users["program_officer"])
    assert officer.post(f"/programs/health-2026/letters/{decision.id}/issue",
                        data={"submit": "Issue letter"}).status_code == 302
    return db.session.execute(select(IssuedLetter).where(IssuedLetter.decision_id == decision.id)).scalar_one()


def test_a_spanish_speaking_organization_gets_its_award_letter_and_messages_in_spanish(app, letters_world, login):
    w = letters_world
    w.cbo.language = "es"
    db.session.commit()
    F.release(w.program)
    db.session.commit()
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
    w.cbo.language = "es"
    db.session.commit()
    F.release(w.program)
    db.session.commit()
    ob.sweep()  # the release's messages leave once its hold is over
    spanish = [m for m in outbox() if m["To"] == "applicant@eastside.org"]
    english = [m for m in outbox() if m["To"] == "applicant@northside.org"]
    assert spanish and english
    assert spanish[0]["Subject"] == "Decisión sobre su solicitud a Community Health 2026"
    assert "fue aprobada con una subvención de 25.000,00 US$" in spanish[0].get_content().replace("\xa0", " ")
    assert english[0]["Subject"] == "Decision on your application to Community Health 2026"


def test_english_stays_english_and_a_funder_s_own_wording_is_sent_as_written(app, letters_world, login):
    w = letters_world
    data = letter_data(w.decline)
    assert data.language == "en" and "Dear" in C.flat(letter_pdf(data, wording_for(w.program.id, "decline"),
                                                                  head_for(w.funder.id, w.funder.name)))
    w.cbo.language = "es"
    db.session.add(LetterTemplate(program_id=w.program.id, kind="award", body="Dear {{ recipient }}, well done.",
                                  include_feedback=False))
    db.session.commit()
    data = letter_data(w.award)
    pdf = letter_pdf(data, wording_for(w.program.id, "award"), head_for(w.funder.id, w.funder.name))
    assert data.language == "en" and C.info(pdf)["lang"] == "en"
    assert "Dear Maria Lopez, well done." in C.flat(pdf) and "Sincerely," in C.flat(pdf)
