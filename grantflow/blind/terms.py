"""Terms an applicant adds to their application's lexicon (a project name, a building, a partner)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from grantflow.applications.models import DRAFT
from grantflow.blind.lexicon import added_terms
from grantflow.blind.models import BlindTerm
from grantflow.blind.textmatch import folded
from grantflow.core import auditlog
from grantflow.core.db import db

MAX_TERMS = 50


class TermError(ValueError):
    """Said at the term field."""


def add_term(application, text: str, *, user_id: int) -> BlindTerm:
    text = " ".join((text or "").split())
    if application.status != DRAFT:
        raise TermError(_("This application is submitted: its hidden terms can no longer change."))
    key = folded(text)
    if len(key.replace(" ", "")) < 2:
        raise TermError(_("Type a word or a name of at least two letters or digits."))
    if len(text) > 200:
        raise TermError(_("Keep a term under 200 characters; add a long name in parts."))
    existing = added_terms(application.id)
    if any(folded(t.text) == key for t in existing):
        raise TermError(_("“%(term)s” is already on your list.", term=text))
    if len(existing) >= MAX_TERMS:
        raise TermError(ngettext("You can add up to %(num)d term. Remove one you no longer need.",
                                  "You can add up to %(num)d terms. Remove one you no longer need.", MAX_TERMS))
    term = BlindTerm(application_id=application.id, text=text, added_by_id=user_id)
    db.session.add(term)
    db.session.flush()
    auditlog.record("blind.term_add", term, after={"text": text}, actor_id=user_id)
    return term


def remove_term(application, term_id: int, *, user_id: int) -> bool:
    if application.status != DRAFT:
        raise TermError(_("This application is submitted: its hidden terms can no longer change."))
    term = db.session.get(BlindTerm, term_id)
    if term is None or term.application_id != application.id:
        return False
    auditlog.record("blind.term_remove", term, before={"text": term.text}, actor_id=user_id)
    db.session.delete(term)
    db.session.flush()
    return True
