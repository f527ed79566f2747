"""Grant agreements with electronic acceptance: consent, intent (typed name and title), attribution
(who, when, from where) and a retained record (each PDF kept, with its SHA-256), read back from the
PDFs; the officer countersigns; both parties download; declined and expired offers are visible."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from grantflow.core import files
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from grantflow.letters import agreements
from grantflow.letters.models import GrantAgreement
from tests import factories as F
from tests.letters.conftest import download


def _pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _offered(w, login):
    F.release(w.program)
    db.session.commit()
    officer = login(w.users["program_officer"])
    response = officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"})
    assert response.status_code == 302
    agreement = db.session.execute(select(GrantAgreement)).scalar_one()
    return officer, agreement


def _sign(w, user, agreement, **fields):
    data = {"consent": "y", "name": "Maria Lopez", "title": "Executive Director", "shown_sha256": agreement.sha256,
            "sign": "Sign"}
    data.update(fields)
    return user.post(f"/applications/{w.application.id}/agreement/sign", data=data)


def test_accept_then_countersign_with_signature_pages_and_the_right_hash(app, letters_world, login, storage_config):
    w = letters_world
    officer, agreement = _offered(w, login)
    shown = files.read(agreements.key_of(agreement.stored_name))
    assert hashlib.sha256(shown).hexdigest() == agreement.sha256
    assert "$25,000.00" in " ".join(_pages(shown)) and "Grant agreement" in _pages(shown)[0]
    [mail] = [m for m in outbox() if m["To"] == "applicant@eastside.org" and "agreement" in m["Subject"]]
    assert f"/applications/{w.application.id}/agreement" in mail.get_content()

    applicant = login(w.users["applicant"])
    status_page = applicant.get(f"/applications/{w.application.id}").get_data(as_text=True)
    assert "Read and sign the grant agreement" in status_page
    page = applicant.get(f"/applications/{w.application.id}/agreement").get_data(as_text=True)
    assert agreement.sha256 in page and agreements.consent_of(agreement).text in page
    framed = applicant.get(f"/applications/{w.application.id}/agreement/{agreement.id}/shown.pdf?inline=1")
    assert framed.status_code == 200 and framed.data == shown  # from the app itself, for the page's frame
    assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]

    # No consent, no signature: told at the field, what was typed kept, nothing signed.
    response = _sign(w, applicant, agreement, consent="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="consent-error"' in body and 'value="Maria Lopez"' in body
    response = _sign(w, applicant, agreement, title="")
    assert response.status_code == 422 and 'id="title-error"' in response.get_data(as_text=True)
    # Signing what was not shown (the agreement changed meanwhile) is refused.
    assert _sign(w, applicant, agreement, shown_sha256="0" * 64).status_code == 422
    db.session.expire_all()
    assert db.session.get(GrantAgreement, agreement.id).status == "offered"

    assert _sign(w, applicant, agreement).status_code == 302
    db.session.expire_all()
    agreement = db.session.get(GrantAgreement, agreement.id)
    assert (agreement.status, agreement.signer_name, agreement.signer_ip) == ("accepted", "Maria Lopez", "127.0.0.1")
    signed = files.read(agreements.key_of(agreement.signed_stored_name))
    assert hashlib.sha256(signed).hexdigest() == agreement.signed_sha256
    shown_pages, signed_pages = _pages(shown), _pages(signed)
    assert signed_pages[:-1] == shown_pages  # the agreement as shown, then the signature page
    last = signed_pages[-1]
    assert "Signature page" in last and agreement.sha256 in last.replace(" ", "")
    assert "Maria Lopez, Executive Director, for Eastside Tenants Union" in last
    assert "applicant@eastside.org" in last and "IP address 127.0.0.1" in last
    assert re.search(r"When \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", last)

    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Signed by Maria Lopez, Executive Director" in page and 'id="countersign-form"' in page
    response = officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement/countersign", data={
        "consent": "y", "name": "Dana Whitfield", "title": "President and CEO", "sign": "Countersign"})
    assert response.status_code == 302
    db.session.expire_all()
    agreement = db.session.get(GrantAgreement, agreement.id)
    assert agreement.status == "countersigned"
    from grantflow.awards.models import AwardTerms  # the payments waiting for the signed agreement come due
    assert db.session.get(AwardTerms, w.application.id).agreement_signed_at == agreement.countersigned_at
    url = f"/applications/{w.application.id}/agreement/{agreement.id}/final.pdf"
    (_, from_officer), (_, from_applicant) = download(officer, url), download(applicant, url)
    assert from_officer == from_applicant
    assert hashlib.sha256(from_applicant).hexdigest() == agreement.final_sha256
    final_pages = _pages(from_applicant)
    assert final_pages[:-1] == shown_pages
    assert "Grantee" in final_pages[-1] and "Funder" in final_pages[-1]
    assert "Dana Whitfield, President and CEO, for Riverside Health Foundation" in final_pages[-1]
    actions = [e.action for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "GrantAgreement").order_by(AuditEvent.id)).scalars()]
    assert actions == ["agreement.offer", "agreement.accept", "agreement.countersign"]

    # Neither another applicant nor the reviewer reads it.
    for role in ("other_applicant", "reviewer", "other_officer"):
        assert login(w.users[role]).get(url).status_code in (403, 404), role


def test_declined_and_expired_offers_are_visible_to_the_officer(app, letters_world, login):
    w = letters_world
    officer, agreement = _offered(w, login)
    applicant = login(w.users["applicant"])
    response = applicant.post(f"/applications/{w.application.id}/agreement/decline",
                              data={"reason": "Our board meets next month.", "decline": "Decline"})
    assert response.status_code == 302
    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Declined" in page and "Our board meets next month." in page and "Send a new agreement" in page

    officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"})
    renewed = db.session.execute(select(GrantAgreement).order_by(GrantAgreement.id.desc())).scalars().first()
    renewed.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Expired" in page
    assert _sign(w, applicant, renewed).status_code == 422
    db.session.expire_all()
    assert db.session.get(GrantAgreement, renewed.id).status == "offered"  # unsigned, shown as expired


def test_no_agreement_before_the_award_is_released_to_the_applicant(app, letters_world, login):
    w = letters_world
    officer = login(w.users["program_officer"])
    officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"})
    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert "Release this award to the applicant first" in page
    assert db.session.execute(select(GrantAgreement)).first() is None
    assert [m for m in outbox() if "agreement" in m["Subject"]] == []
    assert login(w.users["applicant"]).get(f"/applications/{w.application.id}/agreement").status_code == 404


def test_sending_an_agreement_says_who_was_told(app, letters_world, login):
    """Found by hand: for an awardee with no applicant account the page said "the awardee's
    applicants are told where to sign it", and nobody was."""
    import html as html_lib

    from grantflow.accounts.models import Membership

    w = letters_world
    F.release(w.program)
    for m in db.session.execute(select(Membership).where(Membership.organization_id == w.cbo.id)).scalars():
        db.session.delete(m)
    w.application.created_by_id = None
    db.session.commit()
    officer = login(w.users["program_officer"])
    r = officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"},
                     follow_redirects=True)
    page = html_lib.unescape(r.get_data(as_text=True))
    assert "nobody was told" in page and "are told where to sign it" not in page
    assert not [m for m in outbox() if "agreement" in m["Subject"]]
