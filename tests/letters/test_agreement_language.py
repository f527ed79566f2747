"""An agreement is signed in the language it is issued in: a Spanish-speaking organization's signer
(who reads GrantFlow in English) and the English-reading officer who countersigns are both shown
the consent in Spanish (marked `lang="es"` on their English pages); the signature pages and the
PAdES reason are Spanish; the audit trail keeps the exact consent text signed and its language.
An agreement offered before languages (no language recorded) stays English."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from grantflow.core import files
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.letters import agreements
from grantflow.letters.models import GrantAgreement
from tests import factories as F

SPANISH_CONSENT = ("Acepto firmar este acuerdo electrónicamente. Entiendo que mi nombre y mi cargo escritos son mi "
                   "firma, que obliga a mi organización igual que una firma a mano, y que puedo descargar el "
                   "acuerdo y guardar una copia.")


def _last_page(pdf: bytes) -> str:
    return " ".join((PdfReader(io.BytesIO(pdf)).pages[-1].extract_text() or "").split())


def _audit(action: str) -> dict:
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalar_one().after


def test_a_spanish_agreement_is_consented_to_and_signed_in_spanish(app, letters_world, login):
    w = letters_world
    w.cbo.language = "es"
    w.users["applicant"].locale = "en"  # the signer reads GrantFlow in English
    F.release(w.program)
    db.session.commit()
    officer = login(w.users["program_officer"])
    assert officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement", data={"submit": "Send"}).status_code == 302
    agreement = db.session.execute(select(GrantAgreement)).scalar_one()
    assert agreement.language == "es" and _audit("agreement.offer")["language"] == "es"

    applicant = login(w.users["applicant"])
    page = applicant.get(f"/applications/{w.application.id}/agreement").get_data(as_text=True)
    assert f'<p class="consent" id="consent-text" lang="es">{SPANISH_CONSENT}</p>' in page
    assert "Sign the agreement" in page  # the page itself stays in the reader's language
    assert applicant.post(f"/applications/{w.application.id}/agreement/sign", data={
        "consent": "y", "name": "María López", "title": "Directora Ejecutiva", "shown_sha256": agreement.sha256,
        "sign": "Sign"}).status_code == 302
    db.session.expire_all()
    agreement = db.session.get(GrantAgreement, agreement.id)
    last = _last_page(files.read(agreements.key_of(agreement.signed_stored_name)))
    assert "Página de firmas" in last and "María López, Directora Ejecutiva, en nombre de Eastside Tenants Union" in last
    assert "Beneficiario" in last and "Dirección IP 127.0.0.1" in last
    assert "Signature page" not in last and "Signed by" not in last
    assert _audit("agreement.accept")["consent"] == SPANISH_CONSENT
    assert _audit("agreement.accept")["consent_language"] == "es"

    page = officer.get(f"/programs/health-2026/letters/{w.award.id}").get_data(as_text=True)
    assert f'lang="es">{SPANISH_CONSENT}</p>' in page
    assert officer.post(f"/programs/health-2026/letters/{w.award.id}/agreement/countersign", data={
        "consent": "y", "name": "Dana Whitfield", "title": "President and CEO", "sign": "Countersign"}).status_code == 302
    db.session.expire_all()
    agreement = db.session.get(GrantAgreement, agreement.id)
    final = files.read(agreements.key_of(agreement.final_stored_name))
    last = _last_page(final)
    assert "Financiador" in last and "Dana Whitfield, President and CEO, en nombre de Riverside Health Foundation" in last
    assert _audit("agreement.countersign")["consent"] == SPANISH_CONSENT


def test_an_agreement_from_before_languages_is_english(app, letters_world):
    w = letters_world
    F.release(w.program)
    agreement = agreements.offer(w.award, actor_id=None)
    agreement.language = None  # as the rows offered before the column existed
    db.session.commit()
    consent = agreements.consent_of(agreement)
    assert consent.lang == "en" and consent.text.startswith("I agree to sign this agreement electronically.")


def test_a_replaced_offer_is_not_said_to_be_declined_by_the_grantee(app, letters_world):
    """An offer the funder replaced is stored as declined; signing it must not tell the awardee they
    declined it."""
    import pytest

    w = letters_world
    F.release(w.program)
    first = agreements.offer(w.award, actor_id=None)
    agreements.offer(w.award, actor_id=None)  # replaces the first
    db.session.commit()
    with pytest.raises(agreements.AgreementError) as refused:
        agreements.accept(first, w.users["applicant"], consent=True, name="Ana", title="Director",
                          shown_sha256=first.sha256, ip="127.0.0.1")
    assert "by the grantee" not in str(refused.value) and "replaced by a new offer" in str(refused.value)
