"""Switching blind review on or off once reviews have begun asks why; the reason is recorded in the
audit trail and the equity audit notes that blind review changed mid-review."""
from __future__ import annotations

import html

from sqlalchemy import select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.programs.models import Program
from tests.programs.test_program_views import VALID
from tests.reviews.helpers import review

URL = "/programs/health-2026/edit"


def _blind() -> bool:
    db.session.expire_all()
    return db.session.execute(select(Program.blind_review).where(Program.slug == "health-2026")).scalar_one()


def test_turning_blind_review_on_mid_review_asks_why_and_is_recorded(world, login):
    from grantflow.equity.report import build_report

    review(world.other_application, world.users["other_reviewer"], [4, 3, 5])
    db.session.commit()
    officer = login(world.users["program_officer"])
    r = officer.post(URL, data=VALID)
    body = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and 'id="blind_review_reason-error"' in body
    assert "1 review has already begun with applicants named" in body
    assert 'value="Housing Justice Fund"' in body  # nothing typed is lost
    assert _blind() is False

    reason = "The board asked for blind review after a complaint about bias."
    assert officer.post(URL, data={**VALID, "blind_review_reason": reason}).status_code == 302
    assert _blind() is True
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "program.blind_review_changed")).scalar_one()
    assert event.after == {"blind_review": True, "reviews_started": 1, "reason": reason}
    assert event.actor_id == world.users["program_officer"].id
    notes = [f["text"] for f in build_report(db.session.get(Program, world.program.id))["findings"]
             if f["kind"] == "note"]
    assert any(n.startswith("Blind review was turned on on ") and "after 1 review had begun with applicants' "
               "names visible" in n for n in notes), notes


def test_no_reason_is_asked_before_reviews_begin_or_when_nothing_changes(world, login):
    officer = login(world.users["program_officer"])
    assert officer.post(URL, data=VALID).status_code == 302  # no review yet
    assert _blind() is True
    review(world.other_application, world.users["other_reviewer"], [4, 3, 5])
    db.session.commit()
    assert officer.post(URL, data={**VALID, "title": "Renamed"}).status_code == 302  # still blind: no question
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "program.blind_review_changed")).first() is None
    # Turning it off mid-review asks too.
    off = {k: v for k, v in VALID.items() if k != "blind_review"}
    r = officer.post(URL, data=off)
    assert r.status_code == 422 and "already begun blind" in html.unescape(r.get_data(as_text=True))
