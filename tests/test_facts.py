"""The shared facts loader and the groupings derived from it."""
from __future__ import annotations

import datetime as dt

from grantflow.core.db import db
from grantflow.facts import (
    budget_band, is_community_led, leadership_is_poc, load_facts, need_quartile, served_need_index,
)
from grantflow.organizations.models import CommunityPractice, FeedbackLoop, LeadershipProfile
from tests import factories as F


def test_load_facts_reads_profile_needs_places_on_both_backends(any_app):
    funder = F.funder()
    prog = F.program(funder)
    n1 = F.need(funder, "Housing", 1)
    p1 = F.place(funder, "36061000100", need_index=0.9, population=3000, is_priority=True)
    p2 = F.place(funder, "36061000200", need_index=0.3, population=1000)
    org = F.cbo()
    db.session.add(LeadershipProfile(organization_id=org.id, consent_given_at=dt.datetime.now(dt.timezone.utc),
                                     ed_race=["black"], board_total=8, board_poc=3, senior_total=4, senior_poc=1))
    db.session.add(CommunityPractice(organization_id=org.id, board_total=8, board_lived_experience=5,
                                     community_decision_power=True))
    db.session.add(FeedbackLoop(organization_id=org.id, method="Resident listening sessions", frequency="monthly"))
    declined = F.cbo()
    db.session.add(LeadershipProfile(organization_id=declined.id, consent_given_at=None, ed_race=["black"]))
    a = F.application(prog, org)
    a.needs.append(n1)
    a.places.extend([p1, p2])
    F.application(prog, declined)
    F.application(prog, F.cbo(), status="draft")
    db.session.commit()

    ctx, facts = load_facts(prog.id)
    assert len(facts) == 2  # drafts are not facts
    f = next(x for x in facts if x.organization_id == org.id)
    assert f.ed_poc is True and f.need_ids == (n1.id,) and set(f.place_ids) == {p1.id, p2.id}
    assert leadership_is_poc(f) is True
    assert leadership_is_poc(f, use_ed=False) is False  # 3/8 board, 1/4 senior
    assert is_community_led(f) is True
    assert abs(served_need_index(f, ctx) - (0.9 * 3000 + 0.3 * 1000) / 4000) < 1e-9
    assert f.first_time is True
    g = next(x for x in facts if x.organization_id == declined.id)
    assert leadership_is_poc(g) is None  # no consent: never used


def test_groupings():
    assert need_quartile(0.0) == 1 and need_quartile(0.74) == 3 and need_quartile(1.0) == 4
    assert need_quartile(None) is None
    assert budget_band(None) == "not reported" and budget_band(100_000_00) == "under $250k"
