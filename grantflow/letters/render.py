"""From a decision to a letter: plain values in a fixed number of queries, the HTML, the PDF.

Nothing here trusts what was typed: values are plain strings escaped by autoescape, the funder's
wording goes through :mod:`grantflow.letters.wording`, and the PDF through
:func:`grantflow.core.pdf.render_pdf` (no fetch but the stylesheet and the uploaded logo).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grantflow.applications.models import Application
from grantflow.core import files
from grantflow.core.db import db, utcnow
from grantflow.core.money import format_money
from grantflow.core.pdf import render_pdf
from grantflow.core.timeutil import to_local
from grantflow.decisions.models import AWARD, DECLINE, Decision
from grantflow.letters.models import LetterTemplate
from grantflow.letters.wording import Wording, default_wording, render_wording
from grantflow.programs.models import Program

KINDS = (AWARD, DECLINE)
KIND_LABELS = {AWARD: "Award letter", DECLINE: "Decline letter"}
LOGO_URL = "asset:logo"
LOGOS = "logos/"  # the funders' logos in the app's storage


def long_date(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%B} {value.day}, {value.year}"


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

    def placeholders(self, wording: Wording) -> dict[str, str]:
        return {
            "organization": self.organization, "program": self.program, "funder": self.funder,
            "application_title": self.application_title, "amount": self.amount,
            "amount_requested": self.amount_requested, "grant_period": self.grant_period,
            "grant_start": self.grant_start, "grant_end": self.grant_end,
            "payment_schedule": wording.payment_schedule,
            "reporting_requirements": wording.reporting_requirements,
            "conditions": wording.conditions, "contact": self.contact,
            "signatory": wording.signatory_name, "signatory_title": wording.signatory_title,
            "date": self.date,
        }


@dataclass(frozen=True)
class CriterionRow:
    label: str
    mean: str
    scale: str


@dataclass(frozen=True)
class Feedback:
    n_reviews: int
    criteria: tuple[CriterionRow, ...] = ()
    comments: tuple[str, ...] = field(default_factory=tuple)


def contact_line(program: Program) -> str:
    name, email = (program.contact_name or "").strip(), (program.contact_email or "").strip()
    if name and email:
        return f"{name} ({email})"
    return name or email or f"the {program.funder.name} team"


def letter_data(decision: Decision, *, today: dt.date | None = None) -> LetterData:
    application = decision.application
    program = application.program
    org = application.applicant
    start, end = program.grant_start, program.grant_end
    period = f"{long_date(start)} – {long_date(end)}" if start and end else "as agreed with our program staff"
    today = today or to_local(utcnow(), program.timezone).date()
    address = tuple(x for x in (
        org.address_line1, org.address_line2,
        " ".join(p for p in (f"{org.city}," if org.city else "", org.state or "", org.postal_code or "") if p),
    ) if x)
    return LetterData(
        decision_id=decision.id, application_id=application.id, kind=decision.outcome,
        organization=org.name, program=program.title, funder=program.funder.name,
        application_title=application.title or program.title,
        amount=format_money(decision.amount_cents),
        amount_requested=format_money(application.amount_requested_cents),
        grant_start=long_date(start), grant_end=long_date(end), grant_period=period,
        contact=contact_line(program), date=long_date(today), address_lines=address,
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


def logo_key(stored_name: str) -> str:
    return LOGOS + stored_name


def _logo(stored_name: str | None) -> bytes | None:
    if not stored_name:
        return None
    try:
        return files.read(logo_key(stored_name))
    except FileNotFoundError:
        return None


def wording_for(program_id: int, kind: str, row: LetterTemplate | None = None) -> Wording:
    """The program's saved wording for ``kind``, or the product's default."""
    if row is None:
        row = db.session.execute(
            select(LetterTemplate).where(LetterTemplate.program_id == program_id, LetterTemplate.kind == kind)
        ).scalar_one_or_none()
    if row is None:
        return Wording(kind=kind, body=default_wording(kind),
                       payment_schedule="Paid in full within 30 days of this letter." if kind == AWARD else "",
                       reporting_requirements="A short report, in writing or in a conversation, at the end "
                                              "of the grant period." if kind == AWARD else "")
    return Wording(kind=kind, body=row.body, payment_schedule=row.payment_schedule or "",
                   reporting_requirements=row.reporting_requirements or "", conditions=row.conditions or "",
                   signatory_name=row.signatory_name or "", signatory_title=row.signatory_title or "",
                   include_feedback=row.include_feedback, pdf_variant=row.pdf_variant or "pdf/ua-1",
                   logo=_logo(row.logo_stored_name))


def feedback_for(program_id: int, application_ids: list[int]) -> dict[int, Feedback]:
    """Panel averages per criterion and the reviewers' comments meant for the applicant."""
    from grantflow.programs.models import Criterion, Rubric
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
                    rows.append(CriterionRow(crit.label, f"{mean:.1f}", f"{crit.scale_min}–{crit.scale_max}"))
        if rows or comments.get(app_id):
            out[app_id] = Feedback(n_reviews=score.n_reviews if score else 0, criteria=tuple(rows),
                                   comments=tuple(comments.get(app_id, ())))
    return out


def letter_html(data: LetterData, wording: Wording, feedback: Feedback | None = None) -> str:
    data = replace(data, signatory=wording.signatory_name, signatory_title=wording.signatory_title)
    body = render_wording(wording.body, data.placeholders(wording))
    heading = "Grant award" if data.kind == AWARD else "Your application"
    template = current_app.jinja_env.get_template("letters/letter.html")
    return template.render(
        letter=data, body=body, heading=heading, lang="en", title=letter_title(data),
        subject=letter_subject(data), has_logo=wording.logo is not None,
        feedback=feedback if (data.kind == DECLINE and wording.include_feedback) else None,
    )


def letter_title(data: LetterData) -> str:
    return f"{KIND_LABELS.get(data.kind, 'Letter')} — {data.organization} — {data.program}"


def letter_subject(data: LetterData) -> str:
    if data.kind == AWARD:
        return f"Grant award of {data.amount} for “{data.application_title}”"
    return f"Decision on the application “{data.application_title}”"


def letter_pdf(data: LetterData, wording: Wording, feedback: Feedback | None = None) -> bytes:
    html = letter_html(data, wording, feedback)
    return render_pdf(html, title=letter_title(data), author=data.funder, subject=letter_subject(data),
                      lang="en", variant=wording.pdf_variant,
                      allowed_files={LOGO_URL: wording.logo} if wording.logo else None)
