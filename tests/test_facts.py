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


def test_load_facts_reads_only_the_loops_and_memberships_of_the_programs_applicants(any_app):
    """Feedback loops and network memberships are filtered in SQL: organizations that did not
    apply to the program are never read, however many there are."""
    from grantflow.organizations.models import NETWORK
    from tests.queries import recorded

    funder = F.funder()
    prog = F.program(funder)
    network = F.organization(NETWORK, name="Harbor Network")
    applicant = F.cbo()
    db.session.add(FeedbackLoop(organization_id=applicant.id, method="Assembly", frequency="monthly"))
    F.network_member(network, applicant)
    F.application(prog, applicant)
    F.application(prog, F.cbo())  # an applicant with neither
    for i in range(40):  # organizations that did not apply
        other = F.cbo()
        db.session.add(FeedbackLoop(organization_id=other.id, method=f"Survey {i}", frequency="yearly"))
        F.network_member(network, other)
        F.application(F.program(funder), other)
    db.session.commit()

    with recorded() as statements:
        _, facts = load_facts(prog.id)
    seen = [(s, p) for s, p in statements if "feedback_loops" in s or "network_members" in s]
    assert len(seen) == 2
    rows_read = sum(len(db.session.connection().exec_driver_sql(s, p).all()) for s, p in seen)
    assert rows_read == 2  # the applicant's loop and its membership, nothing else
    f = next(x for x in facts if x.organization_id == applicant.id)
    assert f.network_member is True and [loop.method for loop in f.feedback_loops] == ["Assembly"]
    assert sum(x.network_member for x in facts) == 1
