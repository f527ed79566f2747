"""Letters reach the applicant: on the application page (a download and an inline preview) once the
decision is released, with one message per applicant user carrying the link; the officer sees per
letter whether it was sent and downloaded. (Issue 16: "Letters never reach the applicant".)"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.core.mail import outbox
from grantflow.letters import services
from grantflow.letters.models import IssuedLetter
from tests import factories as F
from tests.letters.conftest import download as fetch


def _letter_mail(email: str):
    return [m for m in outbox() if m["To"] == email and "letter" in m["Subject"]]


def test_a_letter_issued_after_release_reaches_the_applicant(app, letters_world, login, storage_config):
    w = letters_world
    F.release(w.program)
    db.session.commit()
    officer = login(w.users["program_officer"])
    assert officer.post(f"/programs/health-2026/letters/{w.award.id}/issue",
                        data={"submit": "Issue letter"}).status_code == 302
    letter = db.session.execute(select(IssuedLetter)).scalar_one()

    [mail] = _letter_mail("applicant@eastside.org")
    body = mail.get_content()
    assert mail["Subject"] == "Your award letter from Riverside Health Foundation"
    assert f"http://localhost/applications/{w.application.id}" in body

    applicant = login(w.users["applicant"])
    page = applicant.get(f"/applications/{w.application.id}").get_data(as_text=True)
    download = f"/applications/{w.application.id}/letters/{letter.id}"
    assert f'href="{download}"' in page and f'<iframe class="letter-preview" title="Your award letter" src="{download}/view"' in page
    assert "the funder will be in touch" not in page.lower()
    # The preview frame's PDF comes from the app itself (on S3 too: the page lets frames load from
    # its own origin only), with the headers that allow that frame.
    inline = applicant.get(f"{download}/view")
    assert inline.status_code == 200 and inline.mimetype == "application/pdf"
    assert "frame-ancestors 'self'" in inline.headers["Content-Security-Policy"]
    assert inline.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert hashlib.sha256(inline.data).hexdigest() == letter.sha256
    headers, pdf = fetch(applicant, download)
    assert "attachment" in headers["Content-Disposition"]
    assert hashlib.sha256(pdf).hexdigest() == letter.sha256

    db.session.expire_all()
    assert db.session.get(IssuedLetter, letter.id).downloaded_at is not None
    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Sent 20" in page and "Downloaded 20" in page

    # Nobody else reads it: the other applicant, the reviewer of this application, another funder.
    for role in ("other_applicant", "reviewer", "other_officer"):
        assert login(w.users[role]).get(download).status_code in (403, 404), role
    assert login(w.users["applicant"]).get(f"/applications/{w.other_application.id}/letters/{letter.id}").status_code == 404


def test_a_letter_issued_before_release_waits_and_the_release_message_points_to_it(app, letters_world, login):
    w = letters_world
    letter, _ = services.issue(w.award)
    db.session.commit()
    assert _letter_mail("applicant@eastside.org") == []
    applicant = login(w.users["applicant"])
    download = f"/applications/{w.application.id}/letters/{letter.id}"
    assert applicant.get(download).status_code == 404  # the decision itself is not released yet
    assert download not in applicant.get(f"/applications/{w.application.id}").get_data(as_text=True)

    F.release(w.program, outcomes=["award"])
    db.session.commit()
    released = [m for m in outbox() if m["To"] == "applicant@eastside.org"]
    assert len(released) == 1  # one message: the release's, which names the letter
    assert "Your award letter from Riverside Health Foundation is on that page" in released[0].get_content()
    db.session.expire_all()
    assert db.session.get(IssuedLetter, letter.id).message_id is not None
    assert applicant.get(download).status_code == 200
