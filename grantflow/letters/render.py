"""From a decision to a letter: plain values in a fixed number of queries, the HTML, the PDF.

Nothing here trusts what was typed: values are plain strings escaped by autoescape, the funder's
wording goes through :mod:`grantflow.letters.wording`, and the PDF through
:func:`grantflow.core.pdf.render_pdf` (no fetch but the stylesheet and the uploaded logo).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.applications.models import Application
from grantflow.core import files, translations
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import SOURCE_LOCALE, format_when, in_language, supported
from grantflow.core.money import format_money
from grantflow.core.pdf import render_pdf
from grantflow.core.timeutil import to_local
from grantflow.core.translations import localized
from grantflow.decisions.models import AWARD, DECLINE, WAITLIST, Decision
from grantflow.letters.models import TRANSLATED_WORDING, Letterhead, LetterTemplate
from grantflow.letters.wording import Wording, default_languages, default_wording, render_wording
from grantflow.programs.models import Criterion, Program

KINDS = (AWARD, DECLINE, WAITLIST)  # the decisions a letter is written for
AGREEMENT = "agreement"  # an award's grant agreement: wording edited like a letter's (grantflow/letters/agreements.py)
KIND_LABELS = {AWARD: _l("Award letter"), DECLINE: _l("Decline letter"), WAITLIST: _l("Waitlist letter"),
               AGREEMENT: _l("Grant agreement")}
HEADINGS = {AWARD: _l("Grant award"), DECLINE: _l("Your application"), WAITLIST: _l("Your application: waitlisted"),
            AGREEMENT: _l("Grant agreement")}
LOGO_URL = "asset:logo"
SIGNATURE_URL = "asset:signature"
LOGOS = "logos/"  # the logos of a letter kind's wording in the app's storage
LETTERHEADS = "letterheads/"  # the letterheads' logos and signature images in the app's storage


@dataclass(frozen=True)
class Head:
    """The funder's letterhead and signatory, as plain values (images as their bytes, read from
    the app's storage)."""

    name: str
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    website: str = ""
    logo: bytes | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    signature: bytes | None = None


def logo_key(stored_name: str) -> str:
    return LOGOS + stored_name


def letterhead_key(stored_name: str) -> str:
    return LETTERHEADS + stored_name


def _stored(prefix: str, stored_name: str | None) -> bytes | None:
    """The file's bytes, or None when there is no name or no file under it."""
    if not stored_name:
        return None
    try:
        return files.read(prefix + stored_name)
    except FileNotFoundError:
        return None


def head_for(funder_id: int, funder_name: str, row: Letterhead | None = None) -> Head:
    """The funder's letterhead, or one with just its name when none is set yet."""
    if row is None:
        row = db.session.execute(select(Letterhead).where(Letterhead.funder_id == funder_id)).scalar_one_or_none()
    if row is None:
        return Head(name=funder_name)
    return Head(name=(row.name or "").strip() or funder_name,
                address_lines=tuple(x.strip() for x in (row.address or "").splitlines() if x.strip()),
                phone=(row.phone or "").strip(), website=(row.website or "").strip(),
                logo=_stored(LETTERHEADS, row.logo_stored_name),
                signatory_name=(row.signatory_name or "").strip(), signatory_title=(row.signatory_title or "").strip(),
                signature=_stored(LETTERHEADS, row.signature_stored_name))


def signed(head: Head, wording: Wording) -> Head:
    """The letterhead with the letter kind's own signatory when its wording names one."""
    if wording.signatory_name.strip():
        return replace(head, signatory_name=wording.signatory_name.strip(),
                       signatory_title=wording.signatory_title.strip())
    return head


def missing_for_issue(head: Head, wordings: list[Wording]) -> list[str]:
    """What must be set before a letter is issued, in words (empty: ready)."""
    missing = []
    for w in wordings:
        h = signed(head, w)
        label = KIND_LABELS[w.kind].lower()
        if not h.signatory_name:
            missing.append(_("the name of the person who signs the %(letter)s (on the letterhead page)", letter=label))
        elif not h.signatory_title:
            missing.append(_("the title of %(name)s, who signs the %(letter)s (on the letterhead page)",
                             name=h.signatory_name, letter=label))
    return list(dict.fromkeys(missing))


def reference_number(program_slug: str, application_id: int) -> str:
    """Program and application, e.g. HEALTH-2026-00042: what the applicant quotes back."""
    return f"{program_slug.upper()}-{application_id:05d}"


def inputs_fingerprint(head: Head, wording: Wording, outcome: str, amount_cents: int,
                       language: str = SOURCE_LOCALE) -> str:
    """SHA-256 of what a letter is made from beyond the applicant's own details: when this changes
    after a letter was issued, the letter is out of date. The wording is the one in the letter's
    `language` (the funder's translation where given), so editing a translation outdates the
    letters in that language; an English letter's fingerprint is what it always was."""
    wording = in_letter_language(wording, language)
    images = [hashlib.sha256(b).hexdigest() if b else "" for b in (head.logo, head.signature, wording.logo)]
    parts = {"head": {k: v for k, v in asdict(head).items() if k not in ("logo", "signature")},
             "wording": {k: v for k, v in asdict(wording).items() if k not in ("logo", "template_id")},
             "files": images, "outcome": outcome, "amount_cents": amount_cents if outcome == AWARD else 0}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def long_date(value: dt.date | None) -> str:
    return "" if value is None else format_when(value, "day")


@dataclass(frozen=True)
class LetterData:
    """Everything a letter says about one decision, as plain values."""

    decision_id: int
    application_id: int
    kind: str
    organization: str
    program: str
    funder: str
    application_title: str
    amount: str
    amount_requested: str
    grant_start: str
    grant_end: str
    grant_period: str
    contact: str
    date: str
    address_lines: tuple[str, ...] = ()
    signatory: str = ""
    signatory_title: str = ""
    recipient: str = ""  # the organization's contact, or its name
    recipient_title: str = ""
    reference: str = ""
    ein: str = ""
    amount_cents: int = 0
    funder_id: int = 0
    language: str = SOURCE_LOCALE  # what the letter is written in (its PDF's `lang`)

    def placeholders(self, wording: Wording) -> dict[str, str]:
        return {
            "organization": self.organization, "program": self.program, "funder": self.funder,
            "application_title": self.application_title, "amount": self.amount,
            "amount_requested": self.amount_requested, "grant_period": self.grant_period,
            "grant_start": self.grant_start, "grant_end": self.grant_end,
            "payment_schedule": wording.payment_schedule,
            "reporting_requirements": wording.reporting_requirements,
            "conditions": wording.conditions, "contact": self.contact,
            "signatory": self.signatory, "signatory_title": self.signatory_title,
            "date": self.date, "recipient": self.recipient or self.organization, "reference": self.reference,
        }


@dataclass(frozen=True)
class CriterionRow:
    """A criterion's panel average: the letter shows its label in the letter's language (the funder's
    translation where given) and the number formatted for that language."""

    criterion: Criterion
    mean: float

    @property
    def label(self) -> Markup:
        """In the language being rendered; marked with its own `lang` when the funder gave none."""
        return localized(self.criterion, "label").marked

    @property
    def scale(self) -> str:
        return f"{self.criterion.scale_min}–{self.criterion.scale_max}"


@dataclass(frozen=True)
class Feedback:
    n_reviews: int
    criteria: tuple[CriterionRow, ...] = ()
    comments: tuple[str, ...] = field(default_factory=tuple)


def contact_line(program: Program) -> str:
    name, email = (program.contact_name or "").strip(), (program.contact_email or "").strip()
    if name and email:
        return f"{name} ({email})"
    return name or email or _("the %(funder)s team", funder=program.funder.name)


def letter_language(decision: Decision, kind: str | None = None) -> str:
    """The organization's language, when the letter kind (by default the decision's) has a wording in
    it: the funder's translation of its own, or the product's default; else English."""
    kind = kind or decision.outcome
    return language_worded(kind, decision.application.applicant.language, lambda: db.session.execute(
        select(LetterTemplate).where(LetterTemplate.program_id == decision.program_id, LetterTemplate.kind == kind)
    ).scalar_one_or_none())


def language_worded(kind: str, preferred: str | None, saved: Callable[[], LetterTemplate | None]) -> str:
    """`preferred` when the kind has a wording in it (the product's, or the funder's saved one,
    `saved()`, translated into it), else English."""
    language = supported(preferred) or SOURCE_LOCALE
    if language == SOURCE_LOCALE or language in default_languages(kind):
        return language
    template = saved()
    return language if template is not None and translations.stored(template, language).get("body") else SOURCE_LOCALE


def letter_data(decision: Decision, *, today: dt.date | None = None, language: str | None = None) -> LetterData:
    """The letter's values, worded in `language` (by default the letter's: `letter_language`)."""
    language = language or letter_language(decision)
    with in_language(language):
        return replace(_letter_data(decision, today=today), language=language)


def _letter_data(decision: Decision, *, today: dt.date | None = None) -> LetterData:
    application = decision.application
    program = application.program
    org = application.applicant
    start, end = program.grant_start, program.grant_end
    period = f"{long_date(start)} – {long_date(end)}" if start and end else _("as agreed with our program staff")
    today = today or to_local(utcnow(), program.timezone).date()
    address = tuple(x for x in (
        org.address_line1, org.address_line2,
        " ".join(p for p in (f"{org.city}," if org.city else "", org.state or "", org.postal_code or "") if p),
    ) if x)
    return LetterData(
        decision_id=decision.id, application_id=application.id, kind=decision.outcome,
        organization=org.name, program=localized(program, "title").text, funder=program.funder.name,
        application_title=application.title or localized(program, "title").text,
        amount=format_money(decision.amount_cents),
        amount_requested=format_money(application.amount_requested_cents),
        grant_start=long_date(start), grant_end=long_date(end), grant_period=period,
        contact=contact_line(program), date=long_date(today), address_lines=address,
        recipient=(org.contact_name or "").strip(), recipient_title=(org.contact_title or "").strip(),
        reference=reference_number(program.slug, application.id), ein=org.ein or "",
        amount_cents=decision.amount_cents, funder_id=program.funder_id,
    )


def load_decisions(decision_ids: list[int]) -> list[Decision]:
    """Decisions with everything a letter reads, in a fixed number of queries."""
    if not decision_ids:
        return []
    return list(db.session.execute(
        select(Decision).where(Decision.id.in_(decision_ids)).order_by(Decision.id).options(
            selectinload(Decision.application).selectinload(Application.organization),
            selectinload(Decision.application).selectinload(Application.on_behalf_of),
            selectinload(Decision.application).selectinload(Application.program)
            .selectinload(Program.funder),
        )
    ).scalars())


def wording_for(program_id: int, kind: str, row: LetterTemplate | None = None) -> Wording:
    """The program's saved wording for ``kind``, or the product's default."""
    if row is None:
        row = db.session.execute(
            select(LetterTemplate).where(LetterTemplate.program_id == program_id, LetterTemplate.kind == kind)
        ).scalar_one_or_none()
    if row is None:
        return product_wording(kind)
    return Wording(kind=kind, body=row.body, payment_schedule=row.payment_schedule or "",
                   reporting_requirements=row.reporting_requirements or "", conditions=row.conditions or "",
                   signatory_name=row.signatory_name or "", signatory_title=row.signatory_title or "",
                   include_feedback=row.include_feedback, pdf_variant=row.pdf_variant or "pdf/ua-1",
                   logo=_stored(LOGOS, row.logo_stored_name), template_id=row.id)


def product_wording(kind: str, language: str = SOURCE_LOCALE) -> Wording:
    """The product's default wording of a letter kind, in `language` where it is written in it."""
    with in_language(language):
        return Wording(kind=kind, body=default_wording(kind, language), include_feedback=kind == DECLINE,
                       payment_schedule=_("Paid in full within 30 days of this letter.") if kind == AWARD else "",
                       reporting_requirements=_("A short report, in writing or in a conversation, at the end of "
                                                "the grant period.") if kind == AWARD else "", default=True)


def in_letter_language(wording: Wording, language: str) -> Wording:
    """The wording in the letter's language: each part in the funder's translation where it gave
    one; else, for the body, the product's wording in that language (English when there is none),
    and for the terms (payment, reporting, conditions) the funder's own, which bind it, unless they
    are still the product's English defaults (as the product's own wording's are)."""
    if language == SOURCE_LOCALE:
        return wording
    product = product_wording(wording.kind, language) if language in default_languages(wording.kind) else None
    own = translations.stored(db.session.get(LetterTemplate, wording.template_id), language) \
        if wording.template_id else {}
    english = product_wording(wording.kind)
    parts = {"body": own.get("body") or (product.body if product else wording.body)}
    for name in (n for n in TRANSLATED_WORDING if n != "body"):
        theirs = getattr(wording, name)
        parts[name] = own.get(name) or (getattr(product, name) if product and theirs == getattr(english, name)
                                        else theirs)
    return replace(wording, **parts)


def feedback_for(program_id: int, application_ids: list[int]) -> dict[int, Feedback]:
    """Panel averages per criterion and the reviewers' comments meant for the applicant."""
    from grantflow.programs.models import Rubric
    from grantflow.reviews.aggregate import rubric_scores
    from grantflow.reviews.models import SUBMITTED, Review

    scores = rubric_scores(program_id)
    criteria = {c.id: c for c in db.session.execute(
        select(Criterion).join(Rubric, Rubric.id == Criterion.rubric_id).where(Rubric.program_id == program_id)
    ).scalars()}
    comments: dict[int, list[str]] = {}
    for app_id, text in db.session.execute(
        select(Review.application_id, Review.comment_to_applicant).where(
            Review.application_id.in_(application_ids or [-1]), Review.status == SUBMITTED
        ).order_by(Review.id)
    ):
        if text and text.strip():
            comments.setdefault(app_id, []).append(text.strip())
    out: dict[int, Feedback] = {}
    for app_id in application_ids:
        score = scores.get(app_id)
        rows = []
        if score is not None:
            for crit_id, mean in sorted(score.criterion_means.items(),
                                        key=lambda kv: (criteria[kv[0]].position if kv[0] in criteria else 0)):
                crit = criteria.get(crit_id)
                if crit is not None:
                    rows.append(CriterionRow(crit, mean))
        if rows or comments.get(app_id):
            out[app_id] = Feedback(n_reviews=score.n_reviews if score else 0, criteria=tuple(rows),
                                   comments=tuple(comments.get(app_id, ())))
    return out


def logo_of(head: Head, wording: Wording) -> bytes | None:
    """The letter kind's own logo, else the letterhead's."""
    return wording.logo or head.logo


def letter_html(data: LetterData, wording: Wording, head: Head, feedback: Feedback | None = None) -> str:
    """The letter in its language (`data.language`): the wording, and every word around it."""
    head = signed(head, wording)
    data = replace(data, signatory=head.signatory_name, signatory_title=head.signatory_title)
    wording = in_letter_language(wording, data.language)
    body, closing = split_closing(render_wording(wording.body, data.placeholders(wording)))
    template = current_app.jinja_env.get_template("letters/letter.html")
    with in_language(data.language):
        return template.render(
            letter=data, head=head, body=body, closing=closing, heading=HEADINGS[data.kind],
            lang=data.language.replace("_", "-"), title=letter_title(data), subject=letter_subject(data),
            has_logo=logo_of(head, wording) is not None, has_signature=head.signature is not None,
            feedback=feedback if (data.kind != AWARD and wording.include_feedback) else None,
        )


def split_closing(body: Markup) -> tuple[Markup, Markup]:
    """The wording's paragraphs, and its last one apart: the closing line is kept on one page
    with the signature."""
    rest, sep, last = str(body).rpartition("</p>\n<p>")
    if not sep:
        return Markup(""), body
    return Markup(rest + "</p>"), Markup("<p>" + last)


def letter_title(data: LetterData) -> str:
    with in_language(data.language):
        label = KIND_LABELS.get(data.kind) or _("Letter")
        return f"{label} — {data.organization} — {data.program}"


def letter_subject(data: LetterData) -> str:
    with in_language(data.language):
        if data.kind == AWARD:
            return _("Grant award of %(amount)s for “%(title)s”", amount=data.amount, title=data.application_title)
        return _("Decision on the application “%(title)s”", title=data.application_title)


def letter_pdf(data: LetterData, wording: Wording, head: Head, feedback: Feedback | None = None) -> bytes:
    html = letter_html(data, wording, head, feedback)
    images = {LOGO_URL: logo_of(head, wording), SIGNATURE_URL: head.signature}
    return render_pdf(html, title=letter_title(data), author=head.name, subject=letter_subject(data),
                      lang=data.language.replace("_", "-"), variant=wording.pdf_variant,
                      allowed_files={k: v for k, v in images.items() if v is not None} or None)
