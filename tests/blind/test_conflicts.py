"""Conflicts of interest that work blind: declared before reading, against the list of every
applicant, with affiliations matched automatically; conflicted applications are never assigned;
"I think I know who this is" recuses and tells the officers. On SQLite and PostgreSQL (the
declarations keep their lists in JSON columns)."""
from __future__ import annotations

import html as htmllib
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.blind import declarations
from grantflow.blind.models import BlindDeclaration
from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.reviews import assignment as assign
from grantflow.reviews import reasons
from grantflow.reviews.models import ASSIGNED, RECUSED, ConflictOfInterest, ReviewAssignment
from tests import factories as F
from tests.blind.conftest import ORG


def _status(app_id, reviewer_id):
    db.session.expire_all()
    return db.session.execute(select(ReviewAssignment.status).where(
        ReviewAssignment.application_id == app_id, ReviewAssignment.reviewer_id == reviewer_id)).scalar_one_or_none()


def test_nothing_of_a_blind_program_before_the_declaration(any_blind_app, any_login):
    b = any_blind_app
    db.session.execute(BlindDeclaration.__table__.delete())
    db.session.commit()
    client = any_login(b.reviewer)
    a = b.application
    for url in (f"/reviews/{a.id}", f"/applications/{a.id}", f"/applications/{a.id}/attachments/{a.attachments[0].id}"):
        r = client.get(url)
        assert r.status_code == 302 and f"/programs/{a.program.slug}/conflicts" in r.headers["Location"], url
    page = client.get(f"/programs/{a.program.slug}/conflicts").get_data(as_text=True)
    # Every organization that applied, by name, alphabetically, and nothing tying a name to an application.
    names = [ORG, "Eastside Tenants Union", "Northside Food Collective"]
    assert all(n in page for n in names) and page.index("Eastside") < page.index("Moreno") < page.index("Northside")
    assert f"#{a.id}" not in page and a.title not in page and "opens a member-owned grocery" not in page
    r = client.post(f"/programs/{a.program.slug}/conflicts?next=/reviews/{a.id}", data={"affiliations": ""})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/reviews/{a.id}")
    assert client.get(f"/reviews/{a.id}").status_code == 200
    db.session.expire_all()
    assert db.session.execute(select(ReviewAssignment.no_conflict_confirmed_at)
                              .where(ReviewAssignment.id == b.assignment.id)).scalar_one() is not None


def test_a_declared_conflict_recuses_and_assignment_avoids_it(any_blind_app, any_login):
    b = any_blind_app
    w, a = b.world, b.application
    other = w.users["other_reviewer"]
    client = any_login(b.reviewer)
    r = client.post(f"/programs/{a.program.slug}/conflicts", data={"conflicts": [b.org.id], "affiliations": ""})
    assert r.status_code == 302
    assert _status(a.id, b.reviewer.id) == RECUSED
    assert _status(a.id, other.id) == ASSIGNED  # the freed place went to another reviewer
    assert db.session.execute(select(ConflictOfInterest.source).where(
        ConflictOfInterest.application_id == a.id, ConflictOfInterest.reviewer_id == b.reviewer.id)).scalar_one() \
        == assign.DECLARED
    assert client.get(f"/reviews/{a.id}").status_code == 404
    # Automatic assignment never gives it back; by hand it is refused at the field.
    assign.auto_assign(a.program)
    assert _status(a.id, b.reviewer.id) == RECUSED
    with pytest.raises(assign.AssignmentError, match="conflict of interest"):
        assign.assign_by_hand(a, [b.reviewer.id], actor_id=b.officer.id)
    # A later application of the same organization is blocked too.
    later = F.application(w.program, b.org, title="Second grocery")
    db.session.commit()
    facts = assign.conflict_facts([(later.id, b.org.id, None)], [b.reviewer.id, other.id])
    assert "Declared a conflict" in str(facts.blocked(later.id, b.reviewer.id))
    assert facts.blocked(later.id, other.id) is None


def test_affiliations_are_matched_against_every_applicant(any_blind_app, any_login):
    b = any_blind_app
    w, a = b.world, b.application
    other = w.users["other_reviewer"]
    client = any_login(other)
    r = client.post(f"/programs/{a.program.slug}/conflicts",
                    data={"affiliations": "Riverside Library volunteers\nTreasurer of the MVFC co-op board"})
    assert r.status_code == 302
    db.session.expire_all()
    [coi] = db.session.execute(select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == other.id)).scalars()
    assert coi.application_id == a.id and coi.source == assign.AFFILIATION and "MVFC" in str(coi.why)
    made = assign.auto_assign(a.program)
    assert all(m.reviewer_id != other.id or m.application_id != a.id for m in made)
    assert _status(a.id, other.id) is None
    # Eastside's application is not touched by that affiliation.
    assert assign.conflict_facts([(w.application.id, w.cbo.id, None)], [other.id]).blocked(w.application.id, other.id) \
        is None


def test_a_new_applicant_brings_the_declaration_back(any_blind_app, any_login):
    b = any_blind_app
    client = any_login(b.reviewer)
    assert client.get(f"/reviews/{b.application.id}").status_code == 200
    newcomer = F.cbo(name="Perris Community Land Trust", slug="perris-clt")
    F.application(b.world.program, newcomer)
    db.session.commit()
    r = client.get(f"/reviews/{b.application.id}")
    assert r.status_code == 302 and "/conflicts" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Perris Community Land Trust" in page and "1 organization applied since you last declared" in page


def test_i_think_i_know_who_this_is(any_blind_app, any_login):
    b = any_blind_app
    a = b.application
    client = any_login(b.reviewer)
    assert "I think I know who this is" in client.get(f"/reviews/{a.id}").get_data(as_text=True)
    r = client.post(f"/reviews/{a.id}/recognize", data={"note": "The grocery project was in the news."})
    assert r.status_code == 302
    assert _status(a.id, b.reviewer.id) == RECUSED
    coi = db.session.execute(select(ConflictOfInterest).where(
        ConflictOfInterest.source == assign.RECOGNIZED)).scalar_one()
    assert coi.reason_args == {"note": "The grocery project was in the news."}
    [mail] = [m for m in outbox() if "may know the applicant" in m["Subject"]]
    assert mail["To"] == b.officer.email and b.reviewer.name in mail.get_content()
    officer = any_login(b.officer)
    assert "thinks they know the applicant" in officer.get(f"/programs/{a.program.slug}/reviewers").get_data(as_text=True)
    assert "thinks they know who this applicant is" in officer.get(f"/applications/{a.id}").get_data(as_text=True)
    assert client.get(f"/reviews/{a.id}").status_code == 404
    # Told once, however often the page is sent again.
    client.post(f"/reviews/{a.id}/recognize", data={"note": "again"})
    assert len([m for m in outbox() if "may know the applicant" in m["Subject"]]) == 1


def test_each_officer_is_told_of_a_hunch_in_their_own_language(any_blind_app, any_login):
    """The reviewer writes in English; the officer who reads Spanish is written to in Spanish."""
    from grantflow.core import roles as R

    b = any_blind_app
    a = b.application
    spanish = F.user("lucia@riverside.org", "Lucía Oficial", org=a.program.funder, role=R.PROGRAM_OFFICER)
    spanish.locale = "es"
    db.session.commit()
    client = any_login(b.reviewer)
    assert client.post(f"/reviews/{a.id}/recognize", data={"note": "The grocery project was in the news."},
                       headers={"Accept-Language": "en"}).status_code == 302
    mails = {m["To"]: m for m in outbox() if m["Subject"].endswith(f" {a.id}") or m["Subject"].endswith(f"#{a.id}")}
    assert mails[b.officer.email]["Subject"] == f"A reviewer may know the applicant of application #{a.id}"
    told = mails["lucia@riverside.org"]
    assert told["Subject"] == f"Es posible que un evaluador conozca al solicitante de la solicitud n.º {a.id}"
    body = told.get_content()
    assert "se apartó de la solicitud" in body and "The grocery project was in the news." in body
    assert "recused themselves" not in body


def test_declaration_answers_odd_input_at_the_field(any_blind_app, any_login):
    b = any_blind_app
    client = any_login(b.reviewer)
    url = f"/programs/{b.application.program.slug}/conflicts"
    r = client.post(url, data={"conflicts": ["abc", "999999"], "affiliations": "x" * 3000})
    assert r.status_code == 422 and "under 2,000 characters" in r.get_data(as_text=True)
    assert declarations.declaration_of(b.application.program, b.reviewer).conflict_ids == []


def test_the_declaration_sends_nobody_off_the_site(any_blind_app, any_login):
    b = any_blind_app
    client = any_login(b.reviewer)
    url = f"/programs/{b.application.program.slug}/conflicts"
    for target in ("/\\evil.example", "//evil.example", "https://evil.example/"):
        r = client.post(url, query_string={"next": target}, data={"affiliations": ""})
        assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/dashboard", target


def test_matching_affiliations_takes_the_same_queries_for_any_number_of_applicants(any_blind_app, any_login):
    from tests.queries import recorded

    b = any_blind_app
    w = b.world
    reviewers = [b.reviewer.id, w.users["other_reviewer"].id]
    for r in (b.reviewer, w.users["other_reviewer"]):
        declarations.declare(w.program, r, conflict_ids=[], affiliations="Riverside Library volunteers\nHemet Rotary")
    db.session.commit()

    def statements(n):
        for i in range(n):
            F.application(w.program, F.cbo(name=f"Applicant Cooperative {n}-{i}"))
        db.session.commit()
        rows = [tuple(r) for r in db.session.execute(
            select(Application.id, Application.organization_id, Application.on_behalf_of_id)
            .where(Application.program_id == w.program.id)).all()]
        db.session.expire_all()
        with recorded() as sent:
            assign.conflict_facts(rows, reviewers)
        return len(sent), len(rows)

    few, many = statements(2), statements(20)
    assert many[1] > few[1] + 15 and many[0] == few[0], (few, many)


def test_a_conflict_declared_in_spanish_is_recorded_as_declared_and_read_in_each_officer_s_language(
        any_blind_app, any_login):
    """What is stored is read by every officer, in their own language: a reviewer reading in Spanish
    leaves the same record (source and reason code) as one reading in English, and each officer
    reads its reason in their language (the assignments page, the application's blind checks)."""
    b = any_blind_app
    a, w = b.application, b.world
    other = w.users["other_reviewer"]
    spanish = {"Accept-Language": "es"}
    r = any_login(b.reviewer).post(f"/programs/{a.program.slug}/conflicts",
                                   data={"conflicts": [b.org.id], "affiliations": ""}, headers=spanish)
    assert r.status_code == 302
    r = any_login(other).post(f"/programs/{a.program.slug}/conflicts",
                              data={"affiliations": "Tesorero de la cooperativa MVFC"}, headers=spanish)
    assert r.status_code == 302
    db.session.expire_all()
    rows = {reviewer: (source, code, args) for reviewer, source, code, args in db.session.execute(
        select(ConflictOfInterest.reviewer_id, ConflictOfInterest.source, ConflictOfInterest.reason_code,
               ConflictOfInterest.reason_args).where(ConflictOfInterest.application_id == a.id))}
    assert rows[b.reviewer.id] == (assign.DECLARED, reasons.BLIND_DECLARED, {})
    assert rows[other.id] == (assign.AFFILIATION, reasons.AFFILIATION, {"line": "Tesorero de la cooperativa MVFC"})
    officer = any_login(b.officer)
    page = f"/programs/{a.program.slug}/reviewers"
    english = htmllib.unescape(officer.get(page).get_data(as_text=True))
    castellano = htmllib.unescape(officer.get(page, headers=spanish).get_data(as_text=True))
    assert "Declared a conflict with this applicant before reading (blind review)" in english
    assert "Affiliation “Tesorero de la cooperativa MVFC” matches the applicant" in english
    assert "Declaró un conflicto con esta organización solicitante antes de leer (evaluación anónima)" in castellano
    assert "La afiliación “Tesorero de la cooperativa MVFC” coincide con la organización solicitante" in castellano
    assert "matches the applicant" not in castellano


def test_a_hunch_reads_in_each_officer_s_language_with_the_reviewer_s_note_as_typed(any_blind_app, any_login):
    b = any_blind_app
    a = b.application
    assert any_login(b.reviewer).post(f"/reviews/{a.id}/recognize", data={"note": "Salió en el periódico."},
                                      headers={"Accept-Language": "es"}).status_code == 302
    db.session.expire_all()
    officer = any_login(b.officer)
    english = htmllib.unescape(officer.get(f"/applications/{a.id}").get_data(as_text=True))
    castellano = htmllib.unescape(officer.get(f"/applications/{a.id}", headers={"Accept-Language": "es"})
                                  .get_data(as_text=True))
    assert "The reviewer thinks they know who the applicant is: Salió en el periódico." in english
    assert "El evaluador cree saber quién es la organización solicitante: Salió en el periódico." in castellano
