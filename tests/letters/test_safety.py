"""Nothing typed by anyone steers a fetch: payloads in every text field of a letter (organization,
address, program, funder, application, contact, the funder's wording and terms, signatory, reviewers'
comments, criterion labels) produce no fetch and no connection, and appear in the PDF as text.
(Markup in the wording itself is refused: tests/letters/test_wording_stays_text.py.)"""
from __future__ import annotations

import io

import pytest

from grantflow.core import files
from grantflow.core import pdf as P
from grantflow.core.db import db
from grantflow.letters import services
from grantflow.letters.models import LetterTemplate
from grantflow.reviews.models import SUBMITTED, CriterionScore, Review
from tests.letters import pdfcheck as C


class RecordingFetcher(P.SafeURLFetcher):
    log: list[str] = []

    def fetch(self, url, headers=None):
        RecordingFetcher.log.append(url)
        return super().fetch(url, headers)


@pytest.fixture
def recorded(monkeypatch):
    RecordingFetcher.log = []
    monkeypatch.setattr(P, "SafeURLFetcher", RecordingFetcher)
    return RecordingFetcher.log


def payloads(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x">',
        f'<style>@import url(http://127.0.0.1:{port}/imp);</style>',
        f'<p style="background:url(http://127.0.0.1:{port}/bg)">',
        f'url(http://127.0.0.1:{port}/css)',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
    ]


def _squash(s: str) -> str:
    return "".join(s.split())


def _fill(w, port):
    """Puts a different payload in every text field a letter shows."""
    p = payloads(port)
    org, prog, app_ = w.cbo, w.program, w.application
    org.name = "Eastside " + p[0]
    org.address_line1 = "1 Main St " + p[1]
    org.city = "Town " + p[4]
    prog.title = "Health " + p[3]
    prog.funder.name = "Riverside " + p[2]
    prog.contact_name = "Pat " + p[5]
    app_.title = "Navigators " + p[1]
    w.other_cbo.name = "Northside " + p[3]
    w.other_application.title = "Food " + p[0]
    prog.current_rubric.criteria[0].label = "Crit " + p[4]
    db.session.add(LetterTemplate(
        program_id=prog.id, kind="award",
        body="Dear {{ organization }}, " + p[4] + "\n\n{{ amount }} for {{ application_title }}\n\n"
             "{{ payment_schedule }} {{ reporting_requirements }} {{ conditions }} {{ contact }}",
        payment_schedule="Pay " + p[1], reporting_requirements="Report " + p[3], conditions="Cond " + p[4],
        signatory_name="Sig " + p[5], signatory_title="Title " + p[2]))
    db.session.add(LetterTemplate(
        program_id=prog.id, kind="decline", body="Dear {{ organization }}, {{ program }} {{ application_title }}",
        signatory_name="Sig " + p[0], signatory_title="Title " + p[1], include_feedback=True))
    review = Review(application_id=w.other_application.id, rubric_id=prog.current_rubric.id, status=SUBMITTED,
                    comment_to_applicant="Comment " + p[3] + " " + p[2], reviewer_id=w.users["reviewer"].id)
    review.scores = [CriterionScore(criterion_id=c.id, score=4) for c in prog.current_rubric.criteria]
    db.session.add(review)
    db.session.commit()


def test_payloads_in_every_field_are_text_and_fetch_nothing(app, letters_world, recorded):
    w = letters_world
    with C.listening_socket() as (port, connections):
        _fill(w, port)
        award, _ = services.issue(w.award)
        decline, _ = services.issue(w.decline)
        db.session.commit()
        assert connections() == 0
    # the only fetch: the product's own stylesheet, from the static folder
    assert recorded and all(url.startswith("file://") and url.endswith("/static/letters/letter.css")
                            for url in recorded), recorded
    award_text = _squash(C.text(files.read(services.letter_key(award))))
    decline_text = _squash(C.text(files.read(services.letter_key(decline))))
    for payload in payloads(port):
        assert _squash(payload) in award_text, payload
    for marker in ("Northside" + _squash(payloads(port)[3]), "Comment" + _squash(payloads(port)[3]),
                   "Crit" + _squash(payloads(port)[4]), "Food" + _squash(payloads(port)[0])):
        assert marker in decline_text, marker
    assert "root:x:0:0" not in award_text


def test_uploaded_logo_is_the_only_other_file_served(app, letters_world, recorded, tmp_path):
    from PIL import Image

    from grantflow.letters.render import logo_key

    png = io.BytesIO()
    Image.new("RGB", (120, 40), (10, 80, 160)).save(png, "PNG")
    files.write_durable(logo_key("abc.png"), png.getvalue())
    db.session.add(LetterTemplate(program_id=letters_world.program.id, kind="award",
                                  body="Dear {{ organization }}", logo_stored_name="abc.png"))
    db.session.commit()
    letter, _ = services.issue(letters_world.award)
    assert "asset:logo" in recorded
    import pikepdf
    with pikepdf.open(io.BytesIO(files.read(services.letter_key(letter)))) as doc:
        images = [k for k, v in doc.pages[0].images.items()]
    assert len(images) == 1
