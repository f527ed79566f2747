"""Which issued letters are out of date, said plainly.

Each letter keeps the SHA-256 of what it was made from (`render.inputs_fingerprint`: the wording
of its kind in its language — the funder's translation included —, the letterhead and signatory with their images, the outcome and amount). A decision's
letter is out of date when that fingerprint differs from today's, or when its decision changed
after release so that the letter was superseded and none replaced it. The letters page and
`grantflow letters` count them, and a re-issue batch of exactly those renews them (earlier versions
kept, superseded; the applicant told once per new letter).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from grantflow.applications.models import Application
from grantflow.core.db import db
from grantflow.decisions.models import Decision
from grantflow.letters.models import IssuedLetter
from grantflow.letters.models import LetterTemplate
from grantflow.letters.render import KINDS, head_for, inputs_fingerprint, language_worded, wording_for
from grantflow.organizations.models import Organization
from grantflow.programs.models import Program


def outdated_ids(program: Program) -> list[int]:
    """Decisions of the program whose letter is out of date, in id order (two queries, the wording of
    each kind and its translations, whatever the number of letters)."""
    head = head_for(program.funder_id, program.funder.name)
    wordings = {kind: wording_for(program.id, kind) for kind in KINDS}
    current = aliased(IssuedLetter)
    earlier = aliased(IssuedLetter)
    rows = db.session.execute(
        select(Decision.id, Decision.outcome, Decision.amount_cents, current.inputs_sha256, Organization.language)
        .join(Application, Application.id == Decision.application_id)
        # The applicant: the member a network applies for, else the organization (the letter's language).
        .join(Organization, Organization.id == func.coalesce(Application.on_behalf_of_id, Application.organization_id))
        .outerjoin(current, and_(current.decision_id == Decision.id, current.superseded_at.is_(None)))
        .where(Decision.program_id == program.id, Decision.outcome.in_(KINDS),
               exists().where(earlier.decision_id == Decision.id))
        .order_by(Decision.id)).all()
    fingerprints: dict[tuple[str, int, str | None], str] = {}
    out = []
    for decision_id, outcome, amount, made_from, preferred in rows:
        key = (outcome, amount, preferred)
        if key not in fingerprints:
            wording = wordings[outcome]
            language = language_worded(outcome, preferred, lambda: wording.template_id and db.session.get(
                LetterTemplate, wording.template_id))
            fingerprints[key] = inputs_fingerprint(head, wording, outcome, amount, language)
        if made_from != fingerprints[key]:
            out.append(decision_id)
    return out


def outdated_phrase(count: int) -> str:
    if not count:
        return _("Every issued letter is up to date.")
    return ngettext("%(num)d issued letter is out of date: the wording, letterhead, signatory or decision changed "
                    "since it was issued.",
                    "%(num)d issued letters are out of date: the wording, letterhead, signatory or decision changed "
                    "since they were issued.", count)
