"""A copy of what was sent: on submission a PDF of the whole application (every answer, the budget,
the attachments with their SHA-256) is stored, emailed as a link, and downloadable by the applicant
and the funder's officer (nobody else); the status page shows every answer."""
from __future__ import annotations

import hashlib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from grantflow.applications import submission_copy
from grantflow.applications.models import SUBMITTED, Application
from grantflow.core import files as stored_files
from grantflow.core.db import db
from grantflow.core.mail import outbox
from tests.applications import files
from tests.applications.conftest import complete_form


def _submit(scene, draft):
    csv = files.csv_bytes()
    r = draft.client.post(f"/applications/{draft.id}/edit", data={
        **complete_form(scene, action="save"), "attachment": (io.BytesIO(csv), "budget detail.csv")})
    assert r.status_code in (200, 302), r.get_data(as_text=True)
    draft.client.get(f"/applications/{draft.id}/edit")
    with draft.client.session_transaction() as sess:
        token = sess["submit_tokens"][str(draft.id)]
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data=complete_form(scene, action="submit", submit_token=token,
                                             community_voice="Tenants choose the buildings, every spring."))
    assert r.status_code == 302, r.get_data(as_text=True)
    return hashlib.sha256(csv).hexdigest()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_submission_stores_a_pdf_of_every_answer_and_emails_a_link(scene, draft, login, app):
    digest = _submit(scene, draft)
    db.session.expire_all()
    a = db.session.execute(select(Application).where(Application.id == draft.id)).scalar_one()
    assert a.status == SUBMITTED and a.submission_copy
    stored = stored_files.read(submission_copy.key_of(a))
    assert a.submission_copy_sha256 == hashlib.sha256(stored).hexdigest()
    text = _text(stored)
    for needle in ("Community Health 2026", "Eastside Tenants Union", "Healthy homes", "Repairs that keep asthma away.",
                   "Housing", "Tract 1", "$50,000.00", "Staff", "Two organizers", "$30,000.00", "Repairs",
                   "$20,000.00", "40 homes repaired", "Tenants choose the buildings, every spring.",
                   "How many staff work on it?", "4", "Tell us a story", "Short story.", "budget detail.csv", digest):
        assert needle in text, needle
    [mail] = [m for m in outbox() if "Application received" in m["Subject"]]
    link = re.search(r"http://\S+/applications/\d+/copy\.pdf", mail.get_content()).group(0)
    path_only = link.split("localhost", 1)[1]
    r = draft.client.get(path_only)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data == stored
    assert login(scene.officer).get(path_only).data == stored
    assert login(scene.reviewer).get(path_only).status_code == 404
    assert login(scene.other_user).get(path_only).status_code == 404


def test_status_page_shows_every_answer_and_the_budget_total(scene, draft):
    _submit(scene, draft)
    html = draft.client.get(f"/applications/{draft.id}").get_data(as_text=True)
    for needle in ("How many staff work on it?", "Tell us a story", "Short story.", "Total", "$50,000.00",
                   "budget detail.csv", f"/applications/{draft.id}/copy.pdf"):
        assert needle in html, needle


def test_a_long_unbroken_text_stays_on_the_page(scene, draft):
    """Found by hand: a 300-character file name and a long URL ran off the right edge of the copy
    (and of letters). Every line of text ends within the page."""
    import pymupdf

    a = db.session.get(Application, draft.id)
    a.summary = "See https://example.org/" + "a" * 400 + " and " + "b" * 3000
    a.title = "x" * 250
    db.session.commit()
    doc = pymupdf.open(stream=submission_copy.render(a), filetype="pdf")
    for page in doc:
        for x0, _y0, x1, _y1, word, *_ in page.get_text("words"):
            assert x1 <= page.rect.width + 0.5, (page.number, word[:40], x1, page.rect.width)
    assert "b" * 200 in "".join(page.get_text().replace("\n", "") for page in doc)
