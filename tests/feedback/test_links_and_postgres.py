"""Links into the feedback pages from other areas, and the aggregate queries on real PostgreSQL."""
from __future__ import annotations

import random

from sqlalchemy import select

from grantflow.core.db import db
from grantflow.feedback import burden as B
from grantflow.feedback import community as C
from grantflow.programs.models import ProgramRule
from tests import factories as F
from tests.conftest import build_world
from tests.feedback.builders import close_survey, decide


def test_advisor_dashboard_and_officer_hub_link_here(world, login):
    html = login(world.users["community_advisor"]).get("/dashboard").get_data(as_text=True)
    assert "/funders/riverside/advise" in html
    html = login(world.users["program_officer"]).get("/programs/health-2026/manage").get_data(as_text=True)
    assert "/programs/health-2026/feedback" in html
    hub = login(world.users["program_officer"]).get("/programs/health-2026/feedback").get_data(as_text=True)
    for path in ("/feedback/settings", "/feedback/burden", "/feedback/community", "/feedback/reports",
                 "/you-said-we-did", f"/applications/{world.application.id}/feedback/note"):
        assert path in hub


def test_aggregates_on_postgresql(pg_app):
    w = build_world()
    needs = [F.need(w.funder, "Housing", 1), F.need(w.funder, "Food", 2)]
    apps = [F.application(w.program, F.cbo(annual_budget_cents=100_000_00)) for _ in range(12)]
    for i, a in enumerate(apps):
        B.record_answer(a, anonymous=i < 5, hours_spent=4 + i, who_helped=["board"], clarity=3, fairness=4,
                        respect=5, burden=2, what_to_change=f"idea {i}")
    decide(apps[0], "award", 30_000_00)
    close_survey(w.program)
    db.session.commit()
    report = B.burden_report(w.program, rng=random.Random(3))
    assert report.shown and report.n_answers == 12 and report.n_anonymous is None  # 5 anonymous: small
    assert next(s for s in report.scales if s.key == "fairness").distribution == {1: 0, 2: 0, 3: 0, 4: 12, 5: 0}
    assert report.median_hours == 9.5 and report.dollars_per_hour_cents == round(30_000_00 / 9.5)
    rows = B.funder_overview([w.program])
    assert rows[0].n_answers == 12 and rows[0].mean_burden == 2.0
    C.save_rankings(w.funder.id, w.users["community_advisor"].id,
                    needs={needs[0].id: (2, ""), needs[1].id: (1, "Food first")}, places={})
    C.adopt_need_weights(w.program, actor_id=w.users["program_officer"].id)
    db.session.commit()
    rule = db.session.execute(select(ProgramRule).where(ProgramRule.rule_key == "chna_alignment")).scalar_one()
    assert rule.params["need_weights"] == {str(needs[0].id): 0.5, str(needs[1].id): 1.0}


def test_reminders_on_postgresql(pg_app):
    import datetime as dt

    from grantflow.core.db import utcnow
    from grantflow.core.mail import outbox
    from grantflow.feedback import checkins
    from tests.feedback.builders import release

    w = build_world()
    decide(w.application, "award", 20_000_00)
    release(w.program)
    today = checkins.today_for(w.program)
    checkins.set_schedule(w.program, [today - dt.timedelta(days=1), today + dt.timedelta(days=40)])
    db.session.commit()
    assert checkins.send_reminders() == 1
    assert checkins.send_reminders() == 0
    assert checkins.send_reminders(now=utcnow() + dt.timedelta(days=1)) == 1
    db.session.commit()
    assert [m["To"] for m in outbox() if "progress report" in m["Subject"]] == [w.users["applicant"].email] * 2
    assert [r.state for r in checkins.program_reports(w.program)] == ["overdue", "upcoming"]
