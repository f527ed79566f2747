"""The budget holds when officers award at the same moment, on the real PostgreSQL server.

Eight threads, each with its own app context (so its own session and connection), award $50,000
to eight different applications of a program whose budget is $200,000. Exactly four may win; the
others must get a clear budget error, and the committed total must stay within the budget.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.decisions.models import AWARD, Decision
from grantflow.decisions.services import DecisionError, decide
from tests import factories as F

pytestmark = pytest.mark.postgres


def _race(app, app_ids, officer_id, amount):
    barrier = threading.Barrier(len(app_ids))
    outcomes: dict[int, str] = {}

    def worker(app_id):
        with app.app_context():
            from grantflow.accounts.models import User
            from grantflow.applications.models import Application

            application = db.session.get(Application, app_id)
            officer = db.session.get(User, officer_id)
            _ = application.program.budget_cents
            barrier.wait()
            try:
                decide(application, AWARD, amount_cents=amount, rationale="Strong fit.", actor=officer,
                       reason_without_review="Reviewed by the whole panel in session.")
                db.session.commit()
                outcomes[app_id] = "ok"
            except DecisionError as exc:
                db.session.rollback()
                outcomes[app_id] = exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(aid,)) for aid in app_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_concurrent_awards_never_exceed_budget(pg_app):
    funder = F.funder()
    prog = F.program(funder, budget_cents=200_000_00, max_award_cents=100_000_00)
    officer = F.user(org=funder, role="program_officer")
    apps = [F.application(prog, F.cbo(), amount_requested_cents=50_000_00) for _ in range(8)]
    db.session.commit()
    ids, program_id, officer_id = [a.id for a in apps], prog.id, officer.id
    db.session.remove()

    outcomes = _race(pg_app, ids, officer_id, 50_000_00)

    winners = [i for i, o in outcomes.items() if o == "ok"]
    losers = {i: o for i, o in outcomes.items() if o != "ok"}
    assert len(outcomes) == 8
    assert len(winners) == 4
    for message in losers.values():
        assert "exceed the program's budget of $200,000.00" in message
        assert "$0.00 is left to award" in message
    total = db.session.execute(
        select(func.sum(Decision.amount_cents)).where(Decision.program_id == program_id, Decision.outcome == AWARD)
    ).scalar_one()
    assert total == 200_000_00
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "decision.create")).scalar_one() == 4


def test_concurrent_awards_sqlite_also_hold(app):
    """SQLite serializes writers; the losers see the re-summed total and get the budget error."""
    funder = F.funder()
    prog = F.program(funder, budget_cents=100_000_00)
    officer = F.user(org=funder, role="program_officer")
    apps = [F.application(prog, F.cbo(), amount_requested_cents=40_000_00) for _ in range(4)]
    db.session.commit()
    ids, program_id, officer_id = [a.id for a in apps], prog.id, officer.id
    db.session.remove()
    outcomes = _race(app, ids, officer_id, 40_000_00)
    assert sorted(outcomes.values()).count("ok") == 2
    total = db.session.execute(
        select(func.sum(Decision.amount_cents)).where(Decision.program_id == program_id)).scalar_one()
    assert total == 80_000_00
