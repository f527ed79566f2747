"""Letters reach the applicant where they look: on their application page, with one message.

A letter is the applicant's to see once its decision is released to them (before that the
decision itself is hidden, grantflow/decisions/release.py). Issuing a letter for a released
decision queues one message per applicant user with the link (through the outbox, so it leaves
after the commit, once: the key is the letter's); a letter issued before the release is announced
by the release's own message (`release_line`), so nobody gets two. The officer sees per
letter whether its message went out and when the applicant first downloaded it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from grantflow.core import outbox as ob
from grantflow.core.db import db, utcnow
from grantflow.core.i18n import in_language
from grantflow.core.mail import send_mail
from grantflow.core.urls import external_url
from grantflow.decisions.models import Decision
from grantflow.letters.models import IssuedLetter
from grantflow.letters.render import KIND_LABELS


def applicant_letters(decision: Decision | None) -> list[IssuedLetter]:
    """The letters the applicant may read, newest first: none before the decision is released."""
    from grantflow.decisions.release import visible

    if not visible(decision):
        return []
    return list(db.session.execute(select(IssuedLetter).where(IssuedLetter.decision_id == decision.id)
                                   .order_by(IssuedLetter.id.desc())).scalars())


def _text(letter: IssuedLetter, program_title: str, funder: str, link: str, reissued: bool) -> tuple[str, str]:
    """The letter's message, in the current language (the caller picks the organization's)."""
    what = str(KIND_LABELS[letter.kind]).lower()
    values = {"what": what, "funder": funder, "program": program_title}
    subject = (_("A new version of your %(what)s from %(funder)s", **values) if reissued
               else _("Your %(what)s from %(funder)s", **values))
    where = _("Read and download it on your application page:") + f"\n{link}" if link else \
        _("Sign in to GrantFlow and open your application to read and download it.")
    sent = (_("%(funder)s has issued a new version of your %(what)s for %(program)s.", **values) if reissued
            else _("%(funder)s has sent you your %(what)s for %(program)s.", **values))
    body = (f"{sent}\n\n{where}\n"
            + ("\n" + _("The earlier version is kept there too, marked superseded.") + "\n" if reissued else ""))
    return subject, body


def notify(letter: IssuedLetter) -> list[ob.OutboxMessage]:
    """Queues the letter's message to each applicant user when its decision is released (held
    until the release's hold ends, and cancelled with it); none otherwise. Flushes.

    Whether it is released is read as a column: most letters are issued before the release, and
    loading the decision would refresh the whole graph its batch loaded with it."""
    released_at = db.session.scalar(select(Decision.released_at).where(Decision.id == letter.decision_id))
    if released_at is None:
        return []
    from grantflow.decisions.models import Release
    from grantflow.decisions.release import recipients

    decision = db.session.get(Decision, letter.decision_id)
    reissued = _has_earlier(letter)
    application = decision.application
    program = application.program
    link = external_url("applications.status", app_id=application.id)
    with in_language(application.applicant.language):
        subject, body = _text(letter, program.title, program.funder.name, link, reissued)
    holding = decision.released_at > utcnow()
    messages = [send_mail(to, subject, body, key=f"letter.issued:{letter.id}:{to}", event="letter.issued",
                          funder_id=program.funder_id, not_before=decision.released_at if holding else None)
                for to in recipients([application])[application.id]]
    db.session.flush()
    if messages:
        letter.message_id = messages[0].id
    if holding and decision.release_id:  # undoing the release in its hold cancels these too
        release = db.session.get(Release, decision.release_id)
        release.message_ids = [*release.message_ids, *(m.id for m in messages)]
    db.session.flush()
    return messages


def _has_earlier(letter: IssuedLetter) -> bool:
    """Whether the applicant may have seen an earlier letter for the same decision."""
    return db.session.execute(select(IssuedLetter.id).where(
        IssuedLetter.decision_id == letter.decision_id, IssuedLetter.id != letter.id).limit(1)).first() is not None


def current_letters(decision_ids: list[int]) -> dict[int, IssuedLetter]:
    """For a release: the current letter of each decision that has one, in one query."""
    return {l.decision_id: l for l in db.session.execute(select(IssuedLetter).where(
        IssuedLetter.decision_id.in_(decision_ids or [-1]), IssuedLetter.superseded_at.is_(None))).scalars()}


def release_line(letter: IssuedLetter | None, funder: str) -> str:
    """The line a release's message adds when the decision's letter is already issued."""
    if letter is None:
        return ""
    return "\n\n" + _("Your %(what)s from %(funder)s is on that page, to read and download.",
                       what=str(KIND_LABELS[letter.kind]).lower(), funder=funder) + "\n"


@dataclass(frozen=True)
class Delivery:
    """What the officer sees of one letter's way to the applicant."""

    status: str  # a phrase: "Sent 2026-12-01 10:04", "Waiting to be sent", "Not released yet"
    downloaded_at: dt.datetime | None


def deliveries(letters: list[IssuedLetter], released: dict[int, bool]) -> dict[int, Delivery]:
    """Per letter id, in one query for the messages."""
    messages = {m.id: m for m in db.session.execute(select(ob.OutboxMessage).where(
        ob.OutboxMessage.id.in_([l.message_id for l in letters if l.message_id] or [-1]))).scalars()}
    out = {}
    for letter in letters:
        message = messages.get(letter.message_id)
        if message is None:
            status = _("Not sent: the decision is not released yet") if not released.get(letter.decision_id) \
                else _("No message (no applicant account to send to)")
        elif message.status == ob.SENT and message.sent_at:
            status = _("Sent %(when)s UTC", when=format(message.sent_at, "%Y-%m-%d %H:%M"))
        else:
            status = str(ob.STATUS_LABELS.get(message.status, message.status))
        out[letter.id] = Delivery(status, letter.downloaded_at)
    return out


def record_download(letter: IssuedLetter) -> None:
    """The applicant's first download (the officer's own never counts)."""
    if letter.downloaded_at is None:
        letter.downloaded_at = utcnow()
