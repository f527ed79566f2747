"""Issuing on SQLite and PostgreSQL: one current letter per decision, enforced by the database even
when two workers race; a re-issue keeps the old letter, superseded."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grantflow.core import files
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.core.storage import storage
from grantflow.letters import services
from grantflow.letters.models import IssuedLetter
from tests.conftest import build_world
from tests.letters.conftest import decide


def test_issue_reissue_and_race(any_app, monkeypatch):
    w = build_world()
    decision = decide(w.application, "award", 12_000_00)
    db.session.commit()
    first, issued = services.issue(decision)
    db.session.commit()
    assert issued and services.current_letter(decision.id).id == first.id

    second, issued = services.issue(decision, reissue=True)
    db.session.commit()
    db.session.expire_all()
    assert issued and db.session.get(IssuedLetter, first.id).superseded_at is not None
    assert [l.id for l in services.letters_of(decision.id)] == [second.id, first.id]
    actions = [e.action for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert actions[-2:] == ["letter.issue", "letter.reissue"]

    # A second current letter is refused by the database itself.
    db.session.add(IssuedLetter(decision_id=decision.id, kind="award", stored_name="x.pdf", sha256="0" * 64, size=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    # Two workers racing: the loser sees the winner's letter and removes its own file.
    real = services.current_letter
    calls = []

    def stale(decision_id):
        calls.append(decision_id)
        return None if len(calls) == 1 else real(decision_id)

    monkeypatch.setattr(services, "current_letter", stale)
    files_before = {s.key for s in storage().list(services.LETTERS)}
    winner, issued = services.issue(decision)
    db.session.commit()
    assert not issued and winner.id == second.id
    assert {s.key for s in storage().list(services.LETTERS)} == files_before
    assert len(db.session.execute(select(IssuedLetter).where(IssuedLetter.superseded_at.is_(None))).all()) == 1


def test_waitlist_has_its_letter(app):
    """Waitlisted applicants got "No letter for this decision" (issue 16)."""
    from tests.letters import pdfcheck as C

    w = build_world()
    decision = decide(w.application, "waitlist")
    letter, issued = services.issue(decision)
    db.session.commit()
    text = C.flat(files.read(services.letter_key(letter)))
    assert issued and letter.kind == "waitlist"
    assert "Your application: waitlisted" in text and "Your application is on our waitlist" in text
