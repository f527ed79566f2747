"""Transparency before effort: the program page shows, before anyone starts, every question (with
its word limit), the rubric with its anchors and weights, the funder's CHNA needs, the eligibility
rules and the dates in the program's zone, and offers a PDF of the blank form (read back here)."""
from __future__ import annotations

import html as htmllib
import io

from pypdf import PdfReader

from grantflow.core.db import db


def test_program_page_shows_questions_rubric_needs_rules_and_dates(scene, app):
    scene.program.require_tax_exempt_or_sponsor = True
    scene.program.timezone = "America/Los_Angeles"
    db.session.commit()
    page = htmllib.unescape(app.test_client().get("/programs/health-2026").get_data(as_text=True))
    for text in ("Project title", "Project summary", "Up to 5,000 characters", "How many staff work on it?",
                 "A number from 1 to 500.", "Tell us a story", "At most 50 words.",
                 "Criterion 1", "Level 5", "Weight", "17%",  # weights 1, 2, 3: 1/6 ≈ 17%
                 "Housing", "Food access",
                 "Tax-exempt organizations, or organizations with a fiscal sponsor.",
                 "PST", "Download the blank form (PDF)"):
        assert text in page, text


def test_blank_form_pdf_lists_every_question(scene, app):
    r = app.test_client().get("/programs/health-2026/blank-form.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(r.data)).pages)
    flat = " ".join(text.split())
    for needle in ("Community Health 2026", "Project title", "Project summary", "How many staff work on it?",
                   "Tell us a story", "At most 50 words.", "Budget", "Housing", "Criterion 3"):
        assert needle in flat, needle


def test_a_draft_programs_blank_form_is_not_public(scene, app):
    scene.program.status = "draft"
    db.session.commit()
    assert app.test_client().get("/programs/health-2026/blank-form.pdf").status_code == 404
