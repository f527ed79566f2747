""""You said, we did": officers answer feedback themes; applicants, advisors and grantees read it."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.feedback.models import YouSaidWeDid


def test_officer_crud_and_readers(world, login):
    officer = login(world.users["program_officer"])
    r = officer.post("/programs/health-2026/you-said-we-did/new", data={"theme": "burden", "we_heard": "",
                                                                       "we_did": "Cut the form to 8 questions"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="we_heard-error"' in html and "Cut the form to 8 questions" in html
    r = officer.post("/programs/health-2026/you-said-we-did/new", data={
        "theme": "burden", "we_heard": "The application took 40 hours", "we_did": "Cut the form to 8 questions"})
    assert r.status_code == 302
    entry = db.session.execute(select(YouSaidWeDid)).scalar_one()
    assert entry.author_id == world.users["program_officer"].id
    r = officer.post(f"/programs/health-2026/you-said-we-did/{entry.id}/edit", data={
        "theme": "fairness", "we_heard": "The application took 40 hours", "we_did": "Cut the form to 6 questions"})
    assert r.status_code == 302 and entry.we_did == "Cut the form to 6 questions"
    events = [e.action for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert events.count("feedback.you_said_we_did_saved") == 2
    for reader in ("applicant", "other_applicant", "community_advisor"):
        html = login(world.users[reader]).get("/programs/health-2026/you-said-we-did").get_data(as_text=True)
        assert "Cut the form to 6 questions" in html and "Fairness" in html
        assert "/edit" not in html
    assert login(world.users["other_officer"]).get("/programs/health-2026/you-said-we-did").status_code == 404
    assert login(world.users["applicant"]).post(
        f"/programs/health-2026/you-said-we-did/{entry.id}/delete").status_code == 404
    assert officer.post(f"/programs/health-2026/you-said-we-did/{entry.id}/delete").status_code == 302
    assert db.session.execute(select(YouSaidWeDid)).first() is None


def test_entry_of_another_program_is_404(world, login):
    other = YouSaidWeDid(program_id=world.other_program.id, theme="burden", we_heard="x", we_did="y")
    db.session.add(other)
    db.session.commit()
    r = login(world.users["program_officer"]).get(f"/programs/health-2026/you-said-we-did/{other.id}/edit")
    assert r.status_code == 404
