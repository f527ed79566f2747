"""Conflict-of-interest reasons are kept as codes and arguments and worded in each reader's language:
a conflict found while one officer reads in Spanish reads in English to an English officer and in
Spanish to a Spanish one; people's own words (a declared reason, a title) stay as typed."""
from __future__ import annotations

import html as htmllib

from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.organizations.models import Organization
from grantflow.reviews import reasons
from grantflow.reviews.assignment import declare_conflict
from grantflow.reviews.models import ConflictOfInterest, ReviewAssignment
from tests import factories as F
from tests.conftest import build_world

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def _text(response) -> str:
    assert response.status_code in (200, 422), response.status_code
    return " ".join(htmllib.unescape(response.get_data(as_text=True)).split())


def test_a_conflict_found_in_spanish_reads_in_each_officer_s_language(any_app):
    w = build_world()
    rev, rev2 = w.users["reviewer"], w.users["other_reviewer"]
    network = F.organization("network", name="Harbor Network")
    F.network_member(network, w.other_cbo)
    F.membership(rev, w.cbo, R.COMMUNITY_ADVISOR)  # a role: named in the reader's language
    F.membership(rev2, network, "member", title="board member")  # a title: as typed
    db.session.execute(ReviewAssignment.__table__.delete())
    db.session.commit()
    ids = {"app": w.application.id, "other_app": w.other_application.id, "rev": rev.id, "rev2": rev2.id,
           "slug": w.program.slug, "funder": w.funder.id, "officer": w.users["program_officer"].id}
    officer = any_app.test_client(user=w.users["program_officer"])
    assert officer.post(f"/programs/{ids['slug']}/reviewers/auto", headers=SPANISH).status_code == 302

    db.session.remove()  # what was stored, read from a fresh session
    rows = {(c.application_id, c.reviewer_id): c for c in db.session.execute(select(ConflictOfInterest)).scalars()}
    own, net = rows[(ids["app"], ids["rev"])], rows[(ids["other_app"], ids["rev2"])]
    assert (own.source, own.reason_code, own.reason_args, own.reason) == (
        "records", reasons.MEMBER_OF_APPLICANT, {"role": R.COMMUNITY_ADVISOR}, "")
    assert (net.reason_code, net.reason_args) == (reasons.MEMBER_OF_NETWORK, {"title": "board member"})
    logged = [e.after["reason"] for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "conflict.records").order_by(AuditEvent.id)).scalars()]
    assert {"code": reasons.MEMBER_OF_APPLICANT, "args": {"role": R.COMMUNITY_ADVISOR}} in logged

    spanish_officer = F.user(org=db.session.get(Organization, ids["funder"]), role=R.PROGRAM_OFFICER)
    spanish_officer.locale = "es"
    db.session.commit()
    page = f"/programs/{ids['slug']}/reviewers"
    english = _text(officer.get(page))
    spanish = _text(any_app.test_client(user=spanish_officer).get(page))
    assert "Community advisor of the applicant organization" in english
    assert "board member of a network the applicant belongs to" in english
    assert "Asesor comunitario de la organización solicitante" in spanish
    assert "board member de una red a la que pertenece la organización solicitante" in spanish
    assert "of the applicant organization" not in spanish and "de la organización solicitante" not in english

    # The assign page lists the conflicted reviewer with the reason, in the reader's language.
    assign = f"/applications/{ids['app']}/reviewers"
    assert "Rae Reviewer: Community advisor of the applicant organization" in _text(officer.get(assign))
    assert "Rae Reviewer: Asesor comunitario de la organización solicitante" in _text(officer.get(assign, headers=SPANISH))
    refused = _text(officer.post(assign, data={"reviewers": [ids["rev"]]}, headers=SPANISH))
    assert "Rae Reviewer tiene un conflicto de intereses (Asesor comunitario de la organización solicitante)" in refused


def test_a_declared_conflict_keeps_the_reviewer_s_words_under_a_translated_wrapper(any_app):
    w = build_world()
    declare_conflict(w.assignment, "Mi hermana preside su junta.")
    db.session.commit()
    app_id, slug = w.application.id, w.program.slug
    officer = any_app.test_client(user=w.users["program_officer"])
    db.session.remove()
    coi = db.session.execute(select(ConflictOfInterest)).scalar_one()
    assert (coi.source, coi.reason_code, coi.reason_args) == (
        "declared", reasons.DECLARED, {"reason": "Mi hermana preside su junta."})
    assign = f"/applications/{app_id}/reviewers"
    assert "Rae Reviewer: Declared a conflict: Mi hermana preside su junta." in _text(officer.get(assign))
    assert "Rae Reviewer: Declaró un conflicto: Mi hermana preside su junta." in _text(
        officer.get(assign, headers=SPANISH))
    assert "Mi hermana preside su junta." in _text(officer.get(f"/programs/{slug}/reviewers"))


def test_a_reason_stored_as_text_is_shown_as_written(any_app):
    w = build_world()
    db.session.add(ConflictOfInterest(application_id=w.application.id, reviewer_id=w.users["other_reviewer"].id,
                                      source="records", reason="Tesorera de la organización (importado)"))
    db.session.commit()
    page = _text(any_app.test_client(user=w.users["program_officer"]).get(f"/programs/{w.program.slug}/reviewers"))
    assert "Tesorera de la organización (importado)" in page
