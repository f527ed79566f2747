"""The applicant knows before submitting: the edit page lists what reviewers will not see, they add
their own terms, and a preview shows their application as a reviewer will read it."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.blind.models import BlindTerm
from grantflow.blind.redaction import pdf_text
from grantflow.core.db import db
from tests.blind.conftest import DIRECTOR, ORG, PROJECT


def _draft(b):
    b.application.status = "draft"
    b.application.submitted_at = None
    db.session.commit()
    return b.application


def test_the_edit_page_lists_what_will_be_hidden(blind_app, login):
    a = _draft(blind_app)
    page = html.unescape(login(blind_app.director).get(f"/applications/{a.id}/edit").get_data(as_text=True))
    panel = page[page.index('id="blind-panel"'):]
    for term in (ORG, "Moreno Valley Food Co-op", "MVFC", DIRECTOR, "Priya", "22 D Street", "92540", "mvfc.example.org",
                 PROJECT):
        assert term in panel, term
    assert f"/applications/{a.id}/hidden-terms" in panel and f"/applications/{a.id}/reviewer-preview" in panel
    a.program.blind_review = False
    db.session.commit()
    assert 'id="blind-panel"' not in login(blind_app.director).get(f"/applications/{a.id}/edit").get_data(as_text=True)


def test_adding_and_removing_terms(blind_app, login):
    a = _draft(blind_app)
    client = login(blind_app.director)
    url = f"/applications/{a.id}/hidden-terms"
    assert client.post(url, data={"text": "  Harbor   House "}).status_code == 302
    db.session.expire_all()
    texts = db.session.execute(select(BlindTerm.text).where(BlindTerm.application_id == a.id)).scalars().all()
    assert "Harbor House" in texts
    for typed, message in (("", "at least two letters"), ("harbor house", "already on your list"),
                           ("x" * 250, "under 200 characters")):
        r = client.post(url, data={"text": typed})
        body = html.unescape(r.get_data(as_text=True))
        assert r.status_code == 422 and message in body, typed
        assert f'value="{typed}"' in body or not typed  # what was typed is kept
    term_id = db.session.execute(select(BlindTerm.id).where(BlindTerm.text == "Harbor House")).scalar_one()
    client.post(f"/applications/{a.id}/hidden-terms/{term_id}/remove")
    db.session.expire_all()
    assert db.session.get(BlindTerm, term_id) is None
    # Once submitted the list no longer changes.
    a.status = "submitted"
    db.session.commit()
    r = client.post(url, data={"text": "Late Name"})
    assert r.status_code == 422 and "can no longer change" in r.get_data(as_text=True)


def test_the_preview_shows_the_reviewers_view(blind_app, login):
    a = _draft(blind_app)
    client = login(blind_app.director)
    page = html.unescape(client.get(f"/applications/{a.id}/reviewer-preview").get_data(as_text=True))
    assert "opens a member-owned grocery" in page and "[Applicant]" in page
    main = page[page.index("<main"):]
    for hidden in ("Moreno Valley Food Co-op", "MVFC", "Priya", PROJECT, "mvfc.example.org"):
        assert hidden not in main, hidden
    att = a.attachments[0]
    r = client.get(f"/applications/{a.id}/reviewer-preview/attachments/{att.id}")
    assert r.mimetype == "application/pdf" and "Priya" not in pdf_text(r.get_data())
    assert login(blind_app.world.users["other_applicant"]).get(f"/applications/{a.id}/reviewer-preview").status_code == 404
