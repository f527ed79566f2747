"""What a reviewer may see of an application, with blind review applied.

Blind review (Program.blind_review) hides from reviewers: the organization's name, slug and EIN
(and those of the organization applied for, and of a fiscal sponsor), people's names, addresses,
demographics and attachment file names. Identifying strings are also masked where they appear in
the answers' text (case-insensitive, replaced by "[Applicant]"; people's names and addresses by
"[name]"/"[address]"). Demographics are never part of the reviewer's view, blind or not.
Program officers read the application through the applications area, which shows everything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from grantflow.accounts.models import Membership, User
from grantflow.applications.models import Application
from grantflow.core.db import db

ORG_MASK = "[Applicant]"
NAME_MASK = "[name]"
ADDRESS_MASK = "[address]"


def identifying_strings(application: Application) -> dict[str, str]:
    """Identifying text of the applicant -> its mask (longest first when applied)."""
    out: dict[str, str] = {}
    orgs = [o for o in (application.organization, application.on_behalf_of) if o is not None]
    for org in orgs:
        for value in (org.name, org.slug, org.fiscal_sponsor_name):
            if value and len(value.strip()) >= 3:
                out[value.strip()] = ORG_MASK
        for ein in (org.ein, org.fiscal_sponsor_ein):
            if ein:
                out[ein] = ORG_MASK
                digits = re.sub(r"\D", "", ein)
                if len(digits) >= 9:
                    out[digits] = ORG_MASK
        for value in (org.address_line1, org.address_line2, org.city):
            if value and len(value.strip()) >= 4:
                out[value.strip()] = ADDRESS_MASK
    org_ids = [o.id for o in orgs]
    names = set(db.session.execute(
        select(User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id.in_(org_ids))
    ).scalars()) if org_ids else set()
    if application.created_by_id:
        creator = db.session.get(User, application.created_by_id)
        if creator is not None:
            names.add(creator.name)
    for name in names:
        if name and len(name.strip()) >= 3:
            out.setdefault(name.strip(), NAME_MASK)
    return out


def masker(application: Application) -> Callable[[str], str]:
    table = identifying_strings(application)
    if not table:
        return lambda text: text
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(k) for k in keys), re.IGNORECASE)
    lowered = {k.lower(): v for k, v in table.items()}

    def mask(text):
        if not text:
            return text
        return pattern.sub(lambda m: lowered.get(m.group(0).lower(), ORG_MASK), str(text))

    return mask


@dataclass
class ReviewerView:
    """Plain values of an application for the reviewer's page (already masked when blind)."""

    application_id: int
    blind: bool
    organization: str | None
    ein: str | None
    location: str | None
    title: str
    summary: str
    community_voice: str
    amount_requested_cents: int | None
    needs: list[str]
    places: list[str]
    budget: list[tuple[str, str, int]]
    outcomes: list[tuple[str, str]]
    answers: list[tuple[str, str]]
    attachments: list[tuple[int, str]] = field(default_factory=list)  # (attachment id, label)


def _answer_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def reviewer_view(application: Application, *, blind: bool) -> ReviewerView:
    from grantflow.applications.attachments import shown_name

    mask = masker(application) if blind else (lambda t: t)
    org = application.applicant
    questions = {q.id: q for q in application.program.questions}
    answers = []
    for ans in sorted(application.answers, key=lambda a: questions[a.question_id].position
                      if a.question_id in questions else 0):
        q = questions.get(ans.question_id)
        if q is None or q.kind == "file":
            continue
        answers.append((q.label, mask(_answer_text(ans.value))))
    return ReviewerView(
        application_id=application.id,
        blind=blind,
        organization=None if blind else org.name,
        ein=None if blind else org.ein,
        location=None if blind else ", ".join(x for x in (org.city, org.state) if x) or None,
        title=mask(application.title or "Untitled application"),
        summary=mask(application.summary),
        community_voice=mask(application.community_voice),
        amount_requested_cents=application.amount_requested_cents,
        needs=[n.name for n in application.needs],
        places=[p.name for p in application.places],
        budget=[(mask(b.category), mask(b.description), b.amount_cents) for b in application.budget_lines],
        outcomes=[(mask(str(o.get("metric", ""))), mask(str(o.get("target", ""))))
                  for o in (application.outcomes or []) if isinstance(o, dict)],
        answers=answers,
        attachments=[(a.id, shown_name(a, i, not blind)) for i, a in enumerate(application.attachments, 1)],
    )
