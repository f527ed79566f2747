"""Blind review leaks nothing: every GET route a reviewer can reach for the application (found by
walking the app's URL map with every plausible argument), every response body and header, is
searched for the applicant's identifying strings — and a program officer does see them."""
from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from grantflow.applications import attachments
from grantflow.applications.models import Answer, BudgetLine
from grantflow.blind import declarations
from grantflow.core.db import db, utcnow
from grantflow.organizations.models import LeadershipProfile
from grantflow.programs.models import CustomQuestion

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
FILE_NAME = "Eastside_Tenants_Union_budget_narrative.pdf"


@pytest.fixture
def blind_world(world, tmp_path, app):
    w = world
    w.program.blind_review = True
    org = w.cbo
    org.address_line1, org.city, org.state = "12 Harbor Lane", "Quillmouth", "NY"
    db.session.add(LeadershipProfile(organization_id=org.id, consent_given_at=utcnow(), ed_race=["black"],
                                     ed_race_other="Garifuna-heritage-marker", board_total=5, board_poc=3))
    a = w.application
    a.created_by_id = w.users["applicant"].id
    a.title = "Eastside Tenants Union housing navigators"
    a.summary = (f"EASTSIDE TENANTS UNION (EIN {org.ein}, {org.ein.replace('-', '')}) at 12 Harbor Lane, "
                 f"Quillmouth, led by Ana Applicant; see eastside.org.")
    a.community_voice = "Members of the eastside tenants union vote on priorities."
    a.outcomes = [{"metric": "Households housed by Eastside Tenants Union", "target": "40"}]
    a.budget_lines = [BudgetLine(category="Staff", description="Ana Applicant, organizer", amount_cents=30_000_00)]
    q = CustomQuestion(program=w.program, key="history", label="Your history", kind="long_text")
    db.session.add(q)
    db.session.flush()
    db.session.add(Answer(application_id=a.id, question_id=q.id,
                          value="Eastside Tenants Union was founded in 1999."))
    attachments.store(a, FileStorage(io.BytesIO(PDF), filename=FILE_NAME), user_id=w.users["applicant"].id)
    db.session.flush()
    declarations.declare(w.program, w.users["reviewer"], conflict_ids=[], affiliations="")
    db.session.commit()
    w.secrets = [org.name, org.slug, org.ein, org.ein.replace("-", ""), "Ana Applicant", "12 Harbor Lane",
                 "Quillmouth", "Garifuna-heritage-marker", FILE_NAME, "Eastside_Tenants"]
    return w


def _candidates(w, arg):
    att = w.application.attachments[0]
    return {
        "app_id": [w.application.id], "application_id": [w.application.id],
        "att_id": [att.id], "attachment_id": [att.id],
        "assignment_id": [w.assignment.id],
        "slug": [w.funder.slug, w.cbo.slug], "program": [w.program.slug],
        "org_slug": [w.cbo.slug], "program_slug": [w.program.slug],
    }.get(arg)


def _crawl(app, client, w):
    """(url, response) for every GET route reachable by this client with the world's identifiers."""
    import itertools

    seen = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        options = [_candidates(w, arg) for arg in sorted(rule.arguments)]
        if any(o is None for o in options):
            continue
        for values in itertools.product(*options):
            kwargs = dict(zip(sorted(rule.arguments), values))
            with app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **kwargs)
            r = client.get(url)
            if r.status_code < 400:
                seen.append((url, r))
            db.session.rollback()
    return seen


def _text(r) -> str:
    return (r.get_data(as_text=True) if not r.mimetype.startswith(("application/pdf", "image/"))
            else r.get_data().decode("latin-1")) + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())


def test_reviewer_sees_no_identifying_string_anywhere(app, blind_world, login):
    w = blind_world
    client = login(w.users["reviewer"])
    pages = _crawl(app, client, w)
    urls = [u for u, _ in pages]
    # The crawl reached the review page, the application status page and the attachment download.
    assert f"/reviews/{w.application.id}" in urls
    assert any("/attachments/" in u for u in urls)
    leaks = []
    for url, r in pages:
        if url.endswith("/conflicts"):  # the declaration lists applicants' names, tied to no application
            continue
        text = _text(r).lower()
        for secret in w.secrets:
            if secret.lower() in text:
                leaks.append(f"{url}: {secret}")
    assert leaks == []
    review_page = dict(pages)[f"/reviews/{w.application.id}"].get_data(as_text=True)
    assert "[Applicant] housing navigators" in review_page
    assert "Attachment 1 (PDF)" in review_page
    assert "[name], organizer" in review_page and "[address]" in review_page


def test_officer_sees_everything(app, blind_world, login):
    w = blind_world
    pages = _crawl(app, login(w.users["program_officer"]), w)
    everything = "\n".join(_text(r) for _, r in pages).lower()
    for secret in (w.cbo.name, w.cbo.ein, FILE_NAME):
        assert secret.lower() in everything, secret


def test_without_blind_review_the_reviewer_sees_the_name(app, blind_world, login):
    w = blind_world
    w.program.blind_review = False
    db.session.commit()
    body = login(w.users["reviewer"]).get(f"/reviews/{w.application.id}").get_data(as_text=True)
    assert "Eastside Tenants Union housing navigators" in body and FILE_NAME in body
    assert "Garifuna-heritage-marker" not in body  # demographics are never part of the reviewer's view
