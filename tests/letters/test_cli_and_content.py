"""`grantflow letters SLUG -o DIR`, decline letters with the panel's feedback, PDF/A-3b, any script."""
from __future__ import annotations

import zipfile

from sqlalchemy import select

from grantflow.core import files
from grantflow.core.db import db
from grantflow.letters import services
from grantflow.letters.models import IssuedLetter, LetterTemplate
from grantflow.reviews.models import SUBMITTED, CriterionScore, Review
from tests.letters import pdfcheck as C


def test_cli_writes_one_pdf_per_decision_and_a_zip(app, letters_world, tmp_path):
    out = tmp_path / "out"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["letters", "health-2026", "-o", str(out), "--declines"])
    assert result.exit_code == 0, result.output
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert len(pdfs) == 2 and any("award-eastside" in p for p in pdfs) and any("decline-northside" in p for p in pdfs)
    assert "Letters for health-2026" in result.output  # the progress bar (a label only when not a terminal)
    with zipfile.ZipFile(out / "letters-health-2026.zip") as z:
        assert sorted(z.namelist()) == pdfs
    # again: nothing re-issued
    result = runner.invoke(args=["letters", "health-2026", "-o", str(out), "--declines"])
    assert result.exit_code == 0
    assert len(db.session.execute(select(IssuedLetter)).all()) == 2
    # unknown program: a clear message
    result = runner.invoke(args=["letters", "nope", "-o", str(out)])
    assert result.exit_code != 0 and "no program with the slug 'nope'" in result.output


def test_decline_letter_carries_the_panels_feedback(app, letters_world):
    w = letters_world
    criteria = w.program.current_rubric.criteria
    for reviewer, scores, comment in ((w.users["reviewer"], (4, 2, 5), "Clear community voice."),
                                      (w.users["other_reviewer"], (2, None, 3), "Budget needs detail."),
                                      (w.users["funder_admin"], (1, 1, 1), "")):
        review = Review(application_id=w.other_application.id, rubric_id=w.program.current_rubric.id,
                        reviewer_id=reviewer.id, status=SUBMITTED if comment else "draft",
                        comment_to_applicant=comment, private_comment="PRIVATE NOTE")
        review.scores = [CriterionScore(criterion_id=c.id, score=s) for c, s in zip(criteria, scores)]
        db.session.add(review)
    db.session.commit()
    letter, _ = services.issue(w.decline)
    text = C.flat(files.read(services.letter_key(letter)))
    assert "Feedback from the review panel" in text
    assert "Criterion 1 3.0 1–5" in text  # (4 + 2) / 2; the draft review is not counted
    assert "Criterion 2 2.0" in text      # a missing score is left out, never a zero
    assert "Criterion 3 4.0" in text
    assert "Clear community voice." in text and "Budget needs detail." in text
    assert "PRIVATE NOTE" not in text
    # the funder can leave the feedback out
    db.session.add(LetterTemplate(program_id=w.program.id, kind="decline", body="Dear {{ organization }}",
                                  include_feedback=False))
    db.session.commit()
    letter, _ = services.issue(w.decline, reissue=True)
    assert "Feedback from the review panel" not in C.flat(files.read(services.letter_key(letter)))


def test_archival_variant_and_names_in_any_script(app, letters_world):
    w = letters_world
    w.cbo.name = "مؤسسة النور الصحية"
    w.program.title = "सामुदायिक स्वास्थ्य 2026"
    db.session.add(LetterTemplate(program_id=w.program.id, kind="award", body="Dear {{ organization }}, {{ program }}",
                                  pdf_variant="pdf/a-3b"))
    db.session.commit()
    letter, _ = services.issue(w.award)
    pdf = files.read(services.letter_key(letter))
    meta = C.info(pdf)
    assert "pdfaid:part" in meta["xmp"] and meta["tagged"]
    assert meta["title"] == "Award letter — مؤسسة النور الصحية — सामुदायिक स्वास्थ्य 2026"
    fonts = C.fonts(pdf)
    assert any("Arabic" in f for f in fonts) and any("Devanagari" in f for f in fonts) and all(fonts.values())
    text = C.text(pdf)
    assert "النور" in text and "स्वास्थ्य" in text
