"""Issuing one letter: render, store the file durably, then record it with its SHA-256.

Order matters for crash safety: the PDF is complete in the app's storage (grantflow/core/files.py,
under ``letters/<stored name>``) *before* its row is added, so a committed row always has its file;
a crash between the two leaves only an unreferenced file, and the letter is simply issued again.
(A batch stores one letter's file on a helper thread while it renders the next, and adds the row
after.) A re-issue
marks the previous letter superseded (kept, visible, downloadable) in the same transaction as the
new row; a partial unique index allows one current letter per decision, so two workers can never
both issue it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grantflow.core import auditlog, events, files
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import format_list, in_language
from grantflow.decisions.models import Decision
from grantflow.letters import delivery, pades
from grantflow.letters.models import IssuedLetter
from grantflow.letters.render import (
    KIND_LABELS, KINDS, Feedback, Head, LetterData, feedback_for, head_for, inputs_fingerprint, letter_data, letter_pdf,
    missing_for_issue, wording_for,
)
from grantflow.letters.wording import Wording


class LetterError(Exception):
    """A letter that cannot be issued, with a message for the program officer."""


LETTERS = "letters/"  # issued letters and batch ZIPs in the app's storage


def letter_key(letter: IssuedLetter) -> str:
    return LETTERS + letter.stored_name


def current_letter(decision_id: int) -> IssuedLetter | None:
    # The id first (a plain indexed lookup), the entity only when there is one: a batch asks this
    # for every letter and the answer is almost always "none yet".
    letter_id = db.session.execute(select(IssuedLetter.id).where(
        IssuedLetter.decision_id == decision_id, IssuedLetter.superseded_at.is_(None))).scalar_one_or_none()
    return None if letter_id is None else db.session.get(IssuedLetter, letter_id)


def letters_of(decision_id: int) -> list[IssuedLetter]:
    """Every letter issued for a decision, newest first (superseded ones included)."""
    return list(db.session.execute(
        select(IssuedLetter).where(IssuedLetter.decision_id == decision_id).order_by(IssuedLetter.id.desc())
    ).scalars())


@dataclass(frozen=True)
class DecisionRef:
    """The few plain facts issuing needs, so a batch can commit after each letter without the ORM
    reloading every expired decision."""

    id: int
    program_id: int
    application_id: int
    outcome: str
    funder_id: int
    program_slug: str

    @classmethod
    def of(cls, decision: Decision) -> "DecisionRef":
        program = decision.application.program
        return cls(decision.id, decision.program_id, decision.application_id, decision.outcome,
                   program.funder_id, program.slug)


@dataclass(frozen=True)
class RenderedLetter:
    """A letter rendered for a decision but not yet stored nor recorded."""

    ref: DecisionRef
    pdf: bytes
    stored_name: str
    issued_at: dt.datetime
    inputs_sha256: str = ""

    @property
    def key(self) -> str:
        return LETTERS + self.stored_name


def _check_kind(ref: DecisionRef) -> None:
    if ref.outcome not in KINDS:
        raise LetterError(_("A decision of this kind (%(outcome)s) has no letter.", outcome=ref.outcome))


def check_ready(head: Head, wordings: list[Wording]) -> None:
    """Refuses to issue before the letters can be signed (LetterError says what is missing)."""
    missing = missing_for_issue(head, wordings)
    if missing:
        raise LetterError(_("Before any letter is issued, set %(missing)s.",
                            missing=format_list(missing)))


def render_letter(ref: DecisionRef, *, wording: Wording | None = None, feedback: Feedback | None = None,
                  data: LetterData | None = None, head: Head | None = None) -> RenderedLetter:
    """The decision's letter as PDF bytes, with the name it will be stored under."""
    _check_kind(ref)
    kind = ref.outcome
    wording = wording or wording_for(ref.program_id, kind)
    if feedback is None and kind != "award" and wording.include_feedback:
        feedback = feedback_for(ref.program_id, [ref.application_id]).get(ref.application_id)
    if data is None:
        data = letter_data(db.session.get(Decision, ref.id))
    head = head or head_for(data.funder_id, data.funder)
    check_ready(head, [wording])
    with in_language(data.language):  # the signature's reason is part of the letter: in its language
        reason = _("%(letter)s issued by %(funder)s", letter=KIND_LABELS[kind], funder=head.name)
    pdf = pades.sign(letter_pdf(data, wording, head, feedback), reason=reason)
    now = utcnow()
    stored = f"{ref.program_id}/{ref.id}-{kind}-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.pdf"
    return RenderedLetter(ref, pdf, stored, now, inputs_fingerprint(head, wording, kind, data.amount_cents,
                                                                     data.language))


def record(rendered: RenderedLetter, existing: IssuedLetter | None, *, actor_id: int | None = None,
           batch_id: int | None = None) -> tuple[IssuedLetter, bool]:
    """Adds the row of a letter whose file is already in place (superseding ``existing``);
    returns (letter, issued_now). Flushes; the caller commits."""
    ref, now = rendered.ref, rendered.issued_at
    letter = IssuedLetter(decision_id=ref.id, kind=ref.outcome, stored_name=rendered.stored_name,
                          sha256=hashlib.sha256(rendered.pdf).hexdigest(), size=len(rendered.pdf),
                          issued_by_id=actor_id, batch_id=batch_id, issued_at=now,
                          inputs_sha256=rendered.inputs_sha256)
    try:
        if existing is not None:
            _supersede(existing.id, now)
        db.session.add(letter)
        db.session.flush()
    except IntegrityError:
        # Another worker issued it first: keep theirs, drop our file. (Issuing is the only change in
        # its transaction — one letter per commit in a batch, one per request on the page.)
        db.session.rollback()
        files.delete(rendered.key)
        winner = current_letter(ref.id)
        if winner is None:
            raise
        return winner, False
    auditlog.record("letter.reissue" if existing else "letter.issue", letter, actor_id=actor_id,
                    before={"sha256": existing.sha256} if existing else None,
                    after={"decision_id": ref.id, "kind": ref.outcome, "sha256": letter.sha256,
                           "batch_id": batch_id})
    delivery.notify(letter)
    events.emit("letter.issued", funder_id=ref.funder_id,
                data={"letter_id": letter.id, "decision_id": ref.id, "application_id": ref.application_id,
                      "program": ref.program_slug, "kind": ref.outcome})
    return letter, True


def _supersede(letter_id: int, at: dt.datetime) -> bool:
    """Marks a letter superseded (kept and downloadable) unless it already is; True when it was current."""
    return db.session.execute(update(IssuedLetter).where(
        IssuedLetter.id == letter_id, IssuedLetter.superseded_at.is_(None)).values(superseded_at=at)).rowcount == 1


def supersede_current(decision_id: int, *, actor_id: int | None = None, reason: str = "") -> IssuedLetter | None:
    """A decision changed, so its current letter no longer says what was decided: it is marked
    superseded (kept, listed and downloadable as such) and the decision has no current letter
    until one is issued for the new outcome. Returns the superseded letter, or None when there
    was none. Flushes; the caller commits."""
    letter = current_letter(decision_id)
    if letter is None or not _supersede(letter.id, utcnow()):
        return None
    db.session.refresh(letter)
    auditlog.record("letter.supersede", letter, actor_id=actor_id,
                    after={"decision_id": decision_id, "sha256": letter.sha256, "reason": reason or None})
    return letter


def issue(decision: Decision | DecisionRef, *, reissue: bool = False, actor_id: int | None = None,
          batch_id: int | None = None) -> tuple[IssuedLetter, bool]:
    """Issues the decision's letter; returns (letter, issued_now). Flushes; the caller commits.

    Without ``reissue`` an existing current letter is returned unchanged.
    """
    ref = decision if isinstance(decision, DecisionRef) else DecisionRef.of(decision)
    _check_kind(ref)
    existing = current_letter(ref.id)
    if existing is not None and not reissue:
        return existing, False
    rendered = render_letter(ref)
    files.write_new(rendered.key, rendered.pdf)  # gone again if the caller's transaction rolls back
    return record(rendered, existing, actor_id=actor_id, batch_id=batch_id)
