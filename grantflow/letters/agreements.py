"""Grant agreements with electronic acceptance (the ESIGN/UETA pattern).

An officer offers an award's agreement: its wording (a template like the letters', with the terms)
is rendered once to a PDF and kept with its SHA-256 — that file is what the awardee is shown and
signs. The awardee's authorized signer (an applicant user of the organization) consents to sign
electronically, then types their name and title with the intent to sign; GrantFlow appends a
signature page (who, when, from which IP address, the SHA-256 of the agreement as shown) to those
exact bytes and stores the signed PDF. The officer countersigns the same way, which appends a
second page and completes it. The signed PDFs carry the funder's PAdES signature when one is set
up (grantflow/letters/pades.py); the offer as shown does not, so its bytes are appended unchanged.
Every step is in the audit trail; a declined offer, or one past
`expires_at`, is shown as such to the officer. The PDFs are retained: as shown, signed, final.

An agreement is signed in the language it is issued in (the organization's, where the agreement is
worded in it; `GrantAgreement.language`): the consent each signer is shown, the signature pages and
the PAdES reason are in that language, whatever the signer's interface language, and the audit
trail keeps the exact consent text signed with its language (`consent`, `consent_language`; a
record without `consent_language` is from before languages: English). docs/agreements.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from grantflow.core import auditlog, files
from grantflow.core.db import db, utcnow
from grantflow.core.mail import send_mail
from grantflow.core.i18n import SOURCE_LOCALE, format_when, html_lang, in_language
from grantflow.core.pdf import render_pdf
from grantflow.core.timeutil import to_local
from grantflow.core.translations import Localized, localized
from grantflow.core.urls import external_url
from grantflow.decisions.models import AWARD, Decision
from grantflow.letters import pades
from grantflow.letters.models import ACCEPTED, COUNTERSIGNED, DECLINED, OFFERED, STATUS_LABELS, GrantAgreement
from grantflow.letters.render import (AGREEMENT, LOGO_URL, head_for, in_letter_language, letter_data, letter_language,
                                     logo_of, signed, wording_for)
from grantflow.letters.services import LETTERS, check_ready
from grantflow.letters.wording import render_wording

OFFER_DAYS = 30
CONSENT = _l("I agree to sign this agreement electronically. I understand that my typed name and title are my "
             "signature, that it binds my organization as a handwritten one would, and that I can download the "
             "agreement and keep a copy.")
ROLES = {"grantee": _l("Grantee"), "funder": _l("Funder")}


class AgreementError(Exception):
    """An agreement step that cannot happen; `field` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


def language_of(agreement: GrantAgreement) -> str:
    return agreement.language or SOURCE_LOCALE


def consent_of(agreement: GrantAgreement) -> Localized:
    """The consent a signer of this agreement is shown and agrees to: in the agreement's language
    (its `lang_attr` marks it on a page in another language)."""
    language = language_of(agreement)
    with in_language(language):
        return Localized(str(CONSENT), language)


def _consent_record(agreement: GrantAgreement) -> dict[str, str]:
    """The wording that was signed, exactly, and its language: what the audit trail keeps."""
    consent = consent_of(agreement)
    return {"consent": consent.text, "consent_language": consent.lang}


def current_agreement(decision_id: int) -> GrantAgreement | None:
    return db.session.execute(select(GrantAgreement).where(GrantAgreement.decision_id == decision_id)
                              .order_by(GrantAgreement.id.desc()).limit(1)).scalar_one_or_none()


def key_of(stored_name: str) -> str:
    """An agreement's PDF (as shown, signed or final) in the app's storage, beside the letters."""
    return LETTERS + stored_name


def _store(program_id: int, decision_id: int, label: str, pdf: bytes) -> str:
    name = f"{program_id}/agreements/{decision_id}-{label}-{secrets.token_hex(6)}.pdf"
    files.write_new(key_of(name), pdf)
    return name


def offer(decision: Decision, *, actor_id: int | None) -> GrantAgreement:
    """Renders the agreement for an award and offers it to the awardee (one message per applicant
    user, after the commit). An earlier unsigned offer is replaced (kept, declined by the funder)."""
    if decision.outcome != AWARD:
        raise AgreementError(None, _("Only an award has a grant agreement."))
    if decision.released_at is None:  # its message would tell the award before the release does
        raise AgreementError(None, _("Release this award to the applicant first; then send its agreement."))
    previous = current_agreement(decision.id)
    if previous is not None and previous.status in (ACCEPTED, COUNTERSIGNED):
        raise AgreementError(None, _("This award's agreement is already signed."))
    data = letter_data(decision, language=letter_language(decision, AGREEMENT))  # the organization's, where worded
    head = head_for(data.funder_id, data.funder)
    # The award's terms, in the agreement's own wording: both in the agreement's language.
    award = wording_for(decision.program_id, AWARD)
    wording = replace(in_letter_language(award, data.language), kind=AGREEMENT,
                      body=in_letter_language(wording_for(decision.program_id, AGREEMENT), data.language).body)
    check_ready(head, [award])
    head = signed(head, wording)
    body = render_wording(wording.body, data.placeholders(wording))
    lang = data.language.replace("_", "-")
    with in_language(data.language):
        title, subject = _("Grant agreement %(reference)s", reference=data.reference), \
            _("Grant agreement for “%(title)s”", title=data.application_title)
        html = current_app.jinja_env.get_template("letters/agreement.html").render(
            letter=data, head=head, body=body, lang=lang, title=title, has_logo=logo_of(head, wording) is not None)
    logo = logo_of(head, wording)
    pdf = render_pdf(html, title=f"{title} — {data.organization}", author=head.name, subject=subject, lang=lang,
                     variant=wording.pdf_variant, allowed_files={LOGO_URL: logo} if logo else None)
    now = utcnow()
    if previous is not None and previous.status == OFFERED:
        previous.status, previous.declined_at, previous.decline_reason = DECLINED, now, "Replaced by a new offer."
    agreement = GrantAgreement(decision_id=decision.id, status=OFFERED, sha256=hashlib.sha256(pdf).hexdigest(),
                               stored_name=_store(decision.program_id, decision.id, "shown", pdf),
                               offered_by_id=actor_id, offered_at=now, expires_at=now + dt.timedelta(days=OFFER_DAYS),
                               language=data.language)
    db.session.add(agreement)
    db.session.flush()
    auditlog.record("agreement.offer", agreement, actor_id=actor_id,
                    after={"decision_id": decision.id, "sha256": agreement.sha256, "language": data.language,
                           "expires_at": agreement.expires_at.isoformat()})
    _tell_awardee(decision, agreement)
    return agreement


def _tell_awardee(decision: Decision, agreement: GrantAgreement) -> None:
    from grantflow.decisions.release import recipients

    application = decision.application
    program = application.program
    link = external_url("letters.agreement_page", app_id=application.id)
    with in_language(application.applicant.language):  # the organization's, as its agreement
        title = localized(program, "title").text
        body = "\n\n".join((
            _("%(funder)s has sent the grant agreement for “%(application)s” (%(program)s).",
              funder=program.funder.name, application=application.title, program=title),
            _("Your organization's authorized signer can read it and accept it electronically here:\n%(link)s",
              link=link),
            _("The offer stands until %(day)s.", day=format_when(to_local(agreement.expires_at, program.timezone),
                                                                   "day")))) + "\n"
        subject = _("Your grant agreement from %(funder)s", funder=program.funder.name)
    for to in recipients([application])[application.id]:
        send_mail(to, subject, body,
                  key=f"agreement.offered:{agreement.id}:{to}", event="agreement.offered", funder_id=program.funder_id)


@dataclass(frozen=True)
class Signature:
    role: str
    name: str
    title: str
    party: str
    email: str
    when_utc: str
    when_local: str
    ip: str


def _signature(role: str, name: str, title: str, party: str, email: str, at: dt.datetime, ip: str,
               timezone: str) -> Signature:
    local = to_local(at, timezone)
    return Signature(role, name, title, party, email, f"{at:%Y-%m-%d %H:%M:%S}", f"{local:%Y-%m-%d %H:%M:%S %Z}", ip)


def _with_signature_page(agreement_pdf: bytes, agreement: GrantAgreement, signatures: list[Signature]) -> bytes:
    """The agreement's own pages, unchanged, followed by the signature page."""
    decision = db.session.get(Decision, agreement.decision_id)
    language = language_of(agreement)
    data = letter_data(decision, language=language)
    with in_language(language):
        lang = html_lang()  # the language actually rendered (English when `language` is not offered)
        html = current_app.jinja_env.get_template("letters/signature_page.html").render(
            title=_("Signature page — %(reference)s", reference=data.reference), lang=lang,
            reference=data.reference, funder=data.funder, organization=data.organization,
            agreement_sha256=agreement.sha256, signatures=signatures, roles=ROLES)
        page = render_pdf(html, title=_("Signature page — grant agreement %(reference)s", reference=data.reference),
                          author=data.funder, lang=lang)
        signed_title = _("Grant agreement %(reference)s — signed", reference=data.reference)
        reason = _("Grant agreement %(reference)s, signed in GrantFlow", reference=data.reference)
    writer = PdfWriter()
    for source in (agreement_pdf, page):
        writer.append(PdfReader(io.BytesIO(source)))
    writer.add_metadata({"/Title": signed_title})
    out = io.BytesIO()
    writer.write(out)
    return pades.sign(out.getvalue(), reason=reason)


def _check_signature(consent: bool, name: str, title: str, shown_sha256: str, agreement: GrantAgreement) -> None:
    if not consent:
        raise AgreementError("consent", _("Tick the box to agree to sign electronically, or decline below."))
    if not name.strip():
        raise AgreementError("name", _("Type your full name: it is your signature."))
    if not title.strip():
        raise AgreementError("title", _("Type your title, like Executive Director."))
    if shown_sha256 != agreement.sha256:
        raise AgreementError(None, _("The agreement changed since you opened it; read the new version and sign "
                                     "again."))


def accept(agreement: GrantAgreement, user, *, consent: bool, name: str, title: str, shown_sha256: str,
           ip: str, now: dt.datetime | None = None) -> GrantAgreement:
    """The awardee's signature. Flushes; the caller commits."""
    now = now or utcnow()
    if agreement.shown_status(now) != OFFERED:
        raise AgreementError(None, _("This agreement can no longer be signed (it is %(status)s).",
                                     status=STATUS_LABELS[agreement.shown_status(now)]))
    _check_signature(consent, name, title, shown_sha256, agreement)
    decision = db.session.get(Decision, agreement.decision_id)
    program = decision.application.program
    party = decision.application.applicant.name
    sig = _signature("grantee", name.strip(), title.strip(), party, user.email, now, ip, program.timezone)
    pdf = _with_signature_page(files.read(key_of(agreement.stored_name)), agreement, [sig])
    agreement.status, agreement.signer_id, agreement.signed_at = ACCEPTED, user.id, now
    agreement.signer_name, agreement.signer_title, agreement.signer_ip = sig.name, sig.title, ip
    agreement.signed_stored_name = _store(program.id, decision.id, "signed", pdf)
    agreement.signed_sha256 = hashlib.sha256(pdf).hexdigest()
    auditlog.record("agreement.accept", agreement, actor_id=user.id,
                    after={"name": sig.name, "title": sig.title, "ip": ip, "agreement_sha256": agreement.sha256,
                           "signed_sha256": agreement.signed_sha256, **_consent_record(agreement)})
    db.session.flush()
    return agreement


def decline(agreement: GrantAgreement, user, *, reason: str, now: dt.datetime | None = None) -> GrantAgreement:
    now = now or utcnow()
    if agreement.shown_status(now) != OFFERED:
        raise AgreementError(None, _("This agreement can no longer be declined (it is %(status)s).",
                                     status=STATUS_LABELS[agreement.shown_status(now)]))
    agreement.status, agreement.declined_at, agreement.decline_reason = DECLINED, now, reason.strip()
    auditlog.record("agreement.decline", agreement, actor_id=user.id, after={"reason": agreement.decline_reason})
    db.session.flush()
    return agreement


def countersign(agreement: GrantAgreement, user, *, consent: bool, name: str, title: str, ip: str,
                now: dt.datetime | None = None) -> GrantAgreement:
    """The officer's countersignature completes the agreement. Flushes; the caller commits."""
    now = now or utcnow()
    if agreement.status != ACCEPTED:
        raise AgreementError(None, _("Only an agreement the grantee has signed can be countersigned."))
    _check_signature(consent, name, title, agreement.sha256, agreement)
    decision = db.session.get(Decision, agreement.decision_id)
    application = decision.application
    program = application.program
    grantee = _signature("grantee", agreement.signer_name, agreement.signer_title, application.applicant.name,
                         _email(agreement.signer_id), agreement.signed_at, agreement.signer_ip, program.timezone)
    funder = _signature("funder", name.strip(), title.strip(), program.funder.name, user.email, now, ip,
                        program.timezone)
    pdf = _with_signature_page(files.read(key_of(agreement.stored_name)), agreement, [grantee, funder])
    agreement.status, agreement.countersigner_id, agreement.countersigned_at = COUNTERSIGNED, user.id, now
    agreement.countersigner_name, agreement.countersigner_title, agreement.countersigner_ip = funder.name, funder.title, ip
    agreement.final_stored_name = _store(program.id, decision.id, "final", pdf)
    agreement.final_sha256 = hashlib.sha256(pdf).hexdigest()
    auditlog.record("agreement.countersign", agreement, actor_id=user.id,
                    after={"name": funder.name, "title": funder.title, "ip": ip, "final_sha256": agreement.final_sha256,
                           **_consent_record(agreement)})
    db.session.flush()
    signed_by_both(application, at=now, actor_id=user.id)
    return agreement


def _email(user_id: int | None) -> str:
    from grantflow.accounts.models import User

    user = db.session.get(User, user_id) if user_id else None
    return user.email if user else ""


def signed_by_both(application, *, at: dt.datetime, actor_id: int | None) -> None:
    """What follows a complete agreement: payments waiting for "agreement signed" come due
    (the awards area's schedule)."""
    from grantflow.awards.schedules import agreement_signed

    agreement_signed(application, at=at, actor_id=actor_id)
