"""The redacted copies reviewers receive under blind review, kept in the file storage beside the uploads.

A copy belongs to one attachment and one lexicon version: it is made on first need (when an
application is submitted to a blind program, by the queue; else when someone asks for it) and
made again when the lexicon changes, the old one going once the new one commits. A copy that
needs a check (grantflow/blind/redaction.py says why) is withheld from reviewers until a program
officer decides; the decision belongs to the attachment and outlives new versions. Officers and
applicants always get the original.
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grantflow.applications import attachments
from grantflow.applications.models import Attachment
from grantflow.blind import redaction
from grantflow.blind.lexicon import Lexicon, lexicon_for
from grantflow.blind.models import CHECK, READY, SHOW, WITHHOLD, AttachmentRelease, RedactedCopy
from grantflow.core import auditlog, files
from grantflow.core.db import db, utcnow


PREFIX = "redacted/"  # a folder of its own in the file storage, apart from the originals' sweep


def key_of(copy: RedactedCopy) -> str | None:
    return PREFIX + copy.stored_name if copy.stored_name else None


def copy_for(att: Attachment, lexicon: Lexicon | None = None) -> RedactedCopy | None:
    """The attachment's copy for the current lexicon, made now when there is none (None when the
    original itself is missing)."""
    lexicon = lexicon or lexicon_for(att.application)
    version = lexicon.version
    found = _find(att.id, version)
    if found is not None:
        return found
    try:
        original = files.read(attachments.key_of(att))
    except FileNotFoundError:
        return None
    made = redaction.redact(att.mime_type, original, lexicon.matcher)
    stored = None
    if made.pdf is not None:
        stored = secrets.token_hex(16) + ".pdf"
        files.write_new(PREFIX + stored, made.pdf)
    copy = RedactedCopy(attachment_id=att.id, lexicon_version=version, stored_name=stored,
                        status=CHECK if made.problems else READY, problems=[p.to_json() for p in made.problems],
                        masked=made.masked)
    try:
        with db.session.begin_nested():
            db.session.add(copy)
    except IntegrityError:  # made at the same moment by another request: use theirs
        if stored:
            files.delete(PREFIX + stored)
        return _find(att.id, version)
    for old in db.session.execute(select(RedactedCopy).where(
            RedactedCopy.attachment_id == att.id, RedactedCopy.id != copy.id)).scalars():
        if old.stored_name:
            files.remove_after_commit(PREFIX + old.stored_name)
        db.session.delete(old)
    db.session.flush()
    return copy


def _find(attachment_id: int, version: str) -> RedactedCopy | None:
    return db.session.execute(select(RedactedCopy).where(
        RedactedCopy.attachment_id == attachment_id, RedactedCopy.lexicon_version == version)).scalar_one_or_none()


def release_of(attachment_id: int) -> AttachmentRelease | None:
    return db.session.execute(
        select(AttachmentRelease).where(AttachmentRelease.attachment_id == attachment_id)).scalar_one_or_none()


def withheld_reason(copy: RedactedCopy) -> str | None:
    """Why reviewers may not have this copy, or None when they may."""
    release = release_of(copy.attachment_id)
    if release is not None and release.decision == WITHHOLD:
        return _("The program officer withheld this file from reviewers.")
    if copy.stored_name is None:
        return _("This file could not be read, so no copy could be made for reviewers.")
    if copy.status == CHECK and (release is None or release.decision != SHOW):
        return _("The program officer is checking this file before reviewers can read it.")
    return None


def decide(att: Attachment, decision: str, *, actor_id: int) -> AttachmentRelease:
    """The program officer's word on a file whose copy needs a check: show it or withhold it."""
    if decision not in (SHOW, WITHHOLD):
        raise ValueError(decision)
    release = release_of(att.id)
    before = {"decision": release.decision} if release else None
    if release is None:
        release = AttachmentRelease(attachment_id=att.id, decision=decision, decided_by_id=actor_id)
        db.session.add(release)
    release.decision, release.decided_by_id, release.decided_at = decision, actor_id, utcnow()
    db.session.flush()
    auditlog.record("blind.attachment_" + decision, release, before=before, after={"decision": decision},
                    actor_id=actor_id)
    return release


def sweep(grace_seconds: float = 3600) -> list[str]:
    """Removes copies no row names (their writer was killed before committing)."""
    return files.sweep_orphans(
        PREFIX, lambda: (n for n in db.session.execute(select(RedactedCopy.stored_name)).scalars() if n),
        grace_seconds=grace_seconds)
