"""Community advisors rank the CHNA's needs and priority places; officers see the Borda-combined
ranking beside the CHNA's and adopt it as the CHNA-alignment rule's need weights, audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.feedback import community as C
from grantflow.feedback.models import AdvisorRanking
from grantflow.programs.models import ProgramRule
from tests import factories as F


@pytest.fixture
def chna(world):
    needs = [F.need(world.funder, "Chronic disease", 1), F.need(world.funder, "Housing", 2),
             F.need(world.funder, "Food access", 3)]
    places = [F.place(world.funder, "36061000100", is_priority=True, name="Tract 1"),
              F.place(world.funder, "36061000200", is_priority=True, name="Tract 2"),
              F.place(world.funder, "36061000300", is_priority=False, name="Not a priority")]
    db.session.commit()
    return needs, places


def _form(needs, places, need_ranks, place_ranks, comments=None):
    data = {}
    for n, r in zip(needs, need_ranks):
        data[f"need_{n.id}_rank"] = str(r)
        data[f"need_{n.id}_comment"] = (comments or {}).get(n.name, "")
    for p, r in zip(places[:2], place_ranks):
        data[f"place_{p.id}_rank"] = str(r)
    return data


def test_advisor_ranks_with_field_errors(world, chna, login):
    needs, places = chna
    client = login(world.users["community_advisor"])
    html = client.get("/funders/riverside/advise").get_data(as_text=True)
    assert "Housing" in html and "Tract 1" in html and "Not a priority" not in html
    r = client.post("/funders/riverside/advise", data=_form(needs, places, [1, 1, 2], [1, 2],
                                                             {"Housing": "Rents doubled here"}))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f'id="need_{needs[1].id}_rank-error"' in html and "Rank 1 is already given to Chronic disease" in html
    assert "Rents doubled here" in html
    r = client.post("/funders/riverside/advise", data=_form(needs, places, [3, 1, 2], [2, 1],
                                                             {"Housing": "Rents doubled here"}))
    assert r.status_code == 302
    rows = db.session.execute(select(AdvisorRanking).where(AdvisorRanking.need_id.is_not(None))).scalars().all()
    assert {r.need_id: r.rank for r in rows} == {needs[0].id: 3, needs[1].id: 1, needs[2].id: 2}
    # Ranking again replaces, never duplicates.
    client.post("/funders/riverside/advise", data=_form(needs, places, [2, 1, 3], [1, 2]))
    assert db.session.execute(select(db.func.count(AdvisorRanking.id))).scalar() == 5


def _advisor(world, n):
    return F.user(f"adv{n}@community.org", f"Advisor {n}", org=world.funder, role=R.COMMUNITY_ADVISOR)


def test_borda_combination(world, chna):
    needs, places = chna
    a1, a2, a3 = world.users["community_advisor"], _advisor(world, 2), _advisor(world, 3)
    ranks = {a1: [3, 1, 2], a2: [2, 1, 3], a3: [3, 2, 1]}
    for adv, r in ranks.items():
        C.save_rankings(world.funder.id, adv.id, needs={n.id: (rank, "") for n, rank in zip(needs, r)}, places={})
    combined, _, n_adv = C.combined_rankings(world.funder.id)
    by_name = {i.name: i for i in combined}
    # Borda points (rank 1 = 3, 2 = 2, 3 = 1): Housing 3+3+2 = 8, Food 2+1+3 = 6, Chronic 1+2+1 = 4.
    assert n_adv == 3
    assert by_name["Housing"].borda == pytest.approx(8 / 3) and by_name["Housing"].combined_rank == 1
    assert by_name["Food access"].combined_rank == 2 and by_name["Chronic disease"].combined_rank == 3
    assert by_name["Chronic disease"].chna_rank == 1 and by_name["Chronic disease"].mean_rank == pytest.approx(8 / 3)
    assert by_name["Housing"].weight == pytest.approx(round(8 / 9, 4))


def test_officer_sees_and_adopts_with_audit(world, chna, login):
    needs, places = chna
    C.save_rankings(world.funder.id, world.users["community_advisor"].id,
                    needs={needs[0].id: (3, "Already funded elsewhere"), needs[1].id: (1, "Rents doubled"),
                           needs[2].id: (2, "")}, places={})
    db.session.commit()
    officer = login(world.users["program_officer"])
    html = officer.get("/programs/health-2026/feedback/community").get_data(as_text=True)
    assert "Rents doubled" in html and "Borda" in html
    assert "Cam Advisor" not in html
    assert officer.post("/programs/health-2026/feedback/community/adopt").status_code == 302
    rule = db.session.execute(select(ProgramRule).where(ProgramRule.program_id == world.program.id,
                                                        ProgramRule.rule_key == "chna_alignment")).scalar_one()
    assert rule.enabled and float(rule.weight) == 1.0
    assert rule.params["need_weights"] == {str(needs[0].id): round(1 / 3, 4), str(needs[1].id): 1.0,
                                           str(needs[2].id): round(2 / 3, 4)}
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "feedback.community_ranking_adopted")).scalar_one()
    assert event.actor_id == world.users["program_officer"].id and event.at is not None
    assert event.before == {"need_weights": {}, "created": True}
    assert event.after["need_weights"] == rule.params["need_weights"]
    # Adopting again after a change keeps the previous weights in "before", and other params.
    rule.params = dict(rule.params) | {"other": 1}
    C.save_rankings(world.funder.id, world.users["community_advisor"].id,
                    needs={needs[0].id: (1, ""), needs[1].id: (2, ""), needs[2].id: (3, "")}, places={})
    db.session.commit()
    officer.post("/programs/health-2026/feedback/community/adopt")
    db.session.refresh(rule)
    assert rule.params["other"] == 1 and rule.params["need_weights"][str(needs[0].id)] == 1.0
    events = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "feedback.community_ranking_adopted").order_by(AuditEvent.id)).scalars().all()
    assert events[-1].before["need_weights"][str(needs[1].id)] == 1.0


def test_adopt_with_no_rankings_says_why(world, chna, login):
    r = login(world.users["program_officer"]).post("/programs/health-2026/feedback/community/adopt",
                                                    follow_redirects=True)
    assert "No community advisor has ranked the needs yet" in r.get_data(as_text=True)
    assert db.session.execute(select(ProgramRule)).first() is None


def test_other_funder_officer_cannot_adopt(world, chna, login):
    assert login(world.users["other_officer"]).post(
        "/programs/health-2026/feedback/community/adopt").status_code == 404


def test_adopted_weights_drive_the_chna_rule_and_keep_other_rules(world, chna):
    """End to end with the scoring engine: other rules stay as they were; the CHNA rule uses the
    advisors' weights (contracts.md item 2)."""
    from grantflow.scoring.engine import program_config
    from grantflow.scoring.standing import standings

    needs, _ = chna
    before = {c.key: (c.enabled, c.weight) for c in program_config(world.program)}
    world.application.needs.append(needs[1])  # Housing: the CHNA ranks it 2nd, advisors 1st
    world.other_application.needs.append(needs[0])  # Chronic disease: CHNA 1st, advisors last
    C.save_rankings(world.funder.id, world.users["community_advisor"].id,
                    needs={needs[0].id: (3, ""), needs[1].id: (1, ""), needs[2].id: (2, "")}, places={})
    C.adopt_need_weights(world.program, actor_id=world.users["program_officer"].id)
    db.session.commit()
    after = {c.key: (c.enabled, c.weight) for c in program_config(world.program)}
    assert {k: v for k, v in after.items() if k != "chna_alignment"} == \
        {k: v for k, v in before.items() if k != "chna_alignment"}
    assert after["chna_alignment"] == (True, 1.0)
    chna_of = {s.application_id: next(r for r in s.score.rules if r.rule_key == "chna_alignment")
               for s in standings(world.program).rows}
    assert chna_of[world.application.id].points == 10.0
    assert chna_of[world.other_application.id].points == pytest.approx(10.0 / 3, abs=1e-3)
    assert "the program's need weights" in str(chna_of[world.application.id].explanation)
