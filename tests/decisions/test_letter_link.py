"""The decision page links to the letter of an award or a decline, and not before a decision."""
from __future__ import annotations

from grantflow.core.db import db
from grantflow.decisions.models import AWARD, Decision


def test_decision_page_links_to_its_letter(world, login):
    officer = login(world.users["program_officer"])
    page = officer.get(f"/applications/{world.application.id}/decision").get_data(as_text=True)
    assert "letter: preview and issue" not in page
    decision = Decision(application_id=world.application.id, program_id=world.program.id, outcome=AWARD,
                        amount_cents=50_000_00, rationale="Strong fit")
    db.session.add(decision)
    db.session.commit()
    page = officer.get(f"/applications/{world.application.id}/decision").get_data(as_text=True)
    assert f"/programs/{world.program.slug}/letters/{decision.id}" in page
    assert "Award letter: preview and issue" in page
