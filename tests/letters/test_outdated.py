"""Out of date, said plainly. Issue 16: after the officer fixed the signatory, a new batch reported
"29 of 29 letters issued — finished" and the ZIP held the old files. Now a change of wording,
letterhead, signatory or decision makes the letters it touches out of date; the letters page,
the batch page and `grantflow letters` say how many, and a re-issue renews exactly those (earlier
versions kept, superseded; each applicant told once)."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core import files
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.decisions.services import decide
from grantflow.letters import freshness, jobs, services
from grantflow.letters.models import IssuedLetter, LetterBatch
from tests import factories as F
from tests.letters import pdfcheck as C


def _issue_all(w) -> dict[int, IssuedLetter]:
    batch = jobs.create_batch(w.program, include_declines=True)
    jobs.issue_chunk(batch.id, batch.decision_ids)
    return {l.decision_id: l for l in db.session.execute(select(IssuedLetter)).scalars()}


def _new_versions(email: str):
    return [m for m in outbox() if m["To"] == email and m["Subject"].startswith("A new version")]


def test_a_new_signatory_makes_every_letter_out_of_date_and_exactly_those_are_reissued(app, letters_world, login):
    w = letters_world
    F.release(w.program)
    db.session.commit()
    first = _issue_all(w)
    assert freshness.outdated_ids(w.program) == []
    officer = login(w.users["program_officer"])
    assert "out of date" not in officer.get("/programs/health-2026/letters").get_data(as_text=True)

    admin = login(w.users["funder_admin"])
    response = admin.post("/organizations/riverside/letterhead", data={
        "address": "1 River Road", "signatory_name": "Ines Moreau", "signatory_title": "Executive Director",
        "save": "Save letterhead"})
    assert response.status_code == 302

    page = officer.get("/programs/health-2026/letters").get_data(as_text=True)
    assert "2 issued letters are out of date: the wording, letterhead, signatory or decision changed" in page
    assert "Re-issue the 2 out-of-date letters" in page
    # An ordinary batch keeps the issued letters and says so, instead of "finished" alone.
    response = officer.post("/programs/health-2026/letters/batches", data={"include_declines": "y", "submit": "x"})
    ordinary = db.session.get(LetterBatch, int(response.headers["Location"].rsplit("/", 1)[-1]))
    jobs.issue_chunk(ordinary.id, ordinary.decision_ids)
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Letters already issued were kept as they were. 2 issued letters are out of date" in page
    result = app.test_cli_runner().invoke(args=["letters", "health-2026", "-o", str(app.instance_path) + "/out"])
    assert result.exit_code == 0 and "2 issued letters are out of date" in result.output and "--outdated" in result.output

    response = officer.post("/programs/health-2026/letters/batches", data={"reissue_outdated": "Re-issue"})
    batch = db.session.get(LetterBatch, int(response.headers["Location"].rsplit("/", 1)[-1]))
    assert sorted(batch.decision_ids) == sorted(first) and batch.reissue
    jobs.issue_chunk(batch.id, batch.decision_ids)
    db.session.expire_all()
    assert freshness.outdated_ids(w.program) == []
    for decision_id, old in first.items():
        assert db.session.get(IssuedLetter, old.id).superseded_at is not None  # kept, superseded
        new = services.current_letter(decision_id)
        assert new.id != old.id and new.sha256 != old.sha256
        assert "Sincerely, Ines Moreau Executive Director" in C.flat(files.read(services.letter_key(new)))
    assert len(_new_versions("applicant@eastside.org")) == 1
    assert len(_new_versions("applicant@northside.org")) == 1


def test_a_wording_change_outdates_only_its_kind(app, letters_world, login):
    w = letters_world
    first = _issue_all(w)
    officer = login(w.users["program_officer"])
    response = officer.post("/programs/health-2026/letters/templates/decline", data={
        "body": "Dear {{ recipient }},\n\nThank you for applying to {{ program }}.", "pdf_variant": "pdf/ua-1",
        "save": "Save wording"})
    assert response.status_code == 302
    assert freshness.outdated_ids(w.program) == [w.decline.id]
    result = app.test_cli_runner().invoke(args=["letters", "health-2026", "-o", str(app.instance_path) + "/out",
                                               "--outdated"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert services.current_letter(w.award.id).id == first[w.award.id].id  # untouched
    assert services.current_letter(w.decline.id).id != first[w.decline.id].id
    assert freshness.outdated_ids(w.program) == []


def test_a_decision_changed_after_release_leaves_its_letter_out_of_date_until_reissued(app, letters_world):
    w = letters_world
    F.release(w.program)
    db.session.commit()
    first = _issue_all(w)
    decide(w.other_application, "award", amount_cents=10_000_00, rationale="Freed money.",
           change_reason="A returned grant freed money.", reason_without_review="Appeal meeting.",
           actor=w.users["program_officer"])
    db.session.commit()
    assert services.current_letter(w.decline.id) is None  # superseded by the change
    assert freshness.outdated_ids(w.program) == [w.decline.id]
    batch = jobs.create_batch(w.program, outdated=True)
    jobs.issue_chunk(batch.id, batch.decision_ids)
    db.session.expire_all()
    new = services.current_letter(w.decline.id)
    assert new.kind == "award" and "$10,000.00" in C.flat(files.read(services.letter_key(new)))
    assert db.session.get(IssuedLetter, first[w.decline.id].id).superseded_at is not None
    assert freshness.outdated_ids(w.program) == []


def test_editing_the_funder_s_spanish_wording_outdates_exactly_its_spanish_letters(app, letters_world, login):
    """Editing the Spanish of a letter's wording (translations page) left the Spanish letters issued
    from it 'up to date', while an edit of the English wording outdated the English ones."""
    from grantflow.core.translations import ContentTranslation
    from grantflow.letters.models import LetterTemplate

    w = letters_world
    w.cbo.language = "es"  # Eastside (the award) reads Spanish; Northside (the decline) English
    template = LetterTemplate(program_id=w.program.id, kind="award", body="Dear {{ recipient }}, well done.",
                              signatory_name="Sam Signer", signatory_title="President")
    db.session.add(template)
    db.session.flush()
    db.session.add(ContentTranslation(kind="letter", object_id=template.id, field="body", locale="es",
                                      text="Estimada/o {{ recipient }}: felicitaciones."))
    db.session.commit()
    first = _issue_all(w)
    assert "felicitaciones" in C.flat(files.read(services.letter_key(first[w.award.id])))
    assert freshness.outdated_ids(w.program) == []

    officer = login(w.users["program_officer"])
    assert officer.post("/programs/health-2026/translations?locale=es", data={
        f"lettertemplate-{template.id}-body": "Estimada/o {{ recipient }}: ¡muchas felicitaciones!"}).status_code == 302
    db.session.expire_all()
    assert freshness.outdated_ids(w.program) == [w.award.id]
    result = app.test_cli_runner().invoke(args=["letters", "health-2026", "-o", str(app.instance_path) + "/out",
                                               "--outdated"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    renewed = services.current_letter(w.award.id)
    assert renewed.id != first[w.award.id].id and "¡muchas felicitaciones!" in C.flat(files.read(services.letter_key(renewed)))
    assert services.current_letter(w.decline.id).id == first[w.decline.id].id  # English: untouched
    assert freshness.outdated_ids(w.program) == []


def test_a_letter_for_a_member_is_fingerprinted_in_the_member_s_language(app, letters_world):
    """A network applying for a member: the letter goes to the member, in the member's language, so
    its freshness is judged in that language too (it was judged in the network's, so a Spanish
    member's fresh letter read as out of date)."""
    w = letters_world
    member = F.organization(name="Miembro Sur", language="es")
    w.award.application.on_behalf_of_id = member.id
    db.session.commit()
    first = _issue_all(w)
    assert services.current_letter(w.award.id).id == first[w.award.id].id
    assert freshness.outdated_ids(w.program) == []
