"""Assignment: conflicts from the records, declarations, hand assignment, and load balancing.

The property tested (Hypothesis, through the real database) for a program with no prior
assignments, random panels, organizations, networks, memberships and applications:

  P1. no reviewer is assigned to an application whose organization, on-behalf-of organization or
      any network of either they hold a membership in (any role or title);
  P2. every application gets exactly min(N, number of eligible reviewers) reviewers;
  P3. for every assignment (a, r) and every eligible reviewer r' not on a: load(r) - load(r') <= 1
      (no single reassignment could even out the loads);
  P4. when no reviewer has any conflict: max load - min load <= 1 over the whole panel.
"""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.reviews.assignment import AssignmentError, assign_by_hand, auto_assign, declare_conflict, plan
from grantflow.reviews.models import ASSIGNED, RECUSED, ConflictOfInterest, ReviewAssignment
from tests import factories as F


def _active(program_id):
    from grantflow.applications.models import Application

    return db.session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.program_id == program_id, ReviewAssignment.status == ASSIGNED)
    ).all()


scenario = st.fixed_dictionaries({
    "reviewers": st.integers(1, 7),
    "cbos": st.integers(1, 5),
    "networks": st.lists(st.sets(st.integers(0, 4), max_size=3), max_size=2),
    "apps": st.lists(st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 4))), min_size=1, max_size=9),
    # (reviewer, org index: 0..4 a CBO, 5..6 a network, title)
    "memberships": st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6),
                                      st.sampled_from(["member", "board member", "staff", None])), max_size=8),
    "n": st.integers(1, 4),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenario)
def test_auto_assign_property(app, s):
    funder = F.funder()
    prog = F.program(funder, reviewers_per_application=s["n"])
    reviewers = [F.user(org=funder, role=R.REVIEWER) for _ in range(s["reviewers"])]
    cbos = [F.cbo() for _ in range(s["cbos"])]
    nets, net_members = [], {}
    for members in s["networks"]:
        net = F.organization("network")
        for member in [cbos[i] for i in members if i < len(cbos)]:
            F.network_member(net, member)
            net_members.setdefault(net.id, set()).add(member.id)
        nets.append(net)
    orgs_by_index = {i: c for i, c in enumerate(cbos)} | {5 + i: n for i, n in enumerate(nets)}
    member_of = {r.id: set() for r in reviewers}
    for ri, oi, title in s["memberships"]:
        if ri < len(reviewers) and oi in orgs_by_index:
            org = orgs_by_index[oi]
            if org.id not in member_of[reviewers[ri].id]:
                F.membership(reviewers[ri], org, R.APPLICANT if title is None else "member", title=title)
                member_of[reviewers[ri].id].add(org.id)
    apps = []
    for oi, behalf in s["apps"]:
        org = cbos[oi % len(cbos)]
        on_behalf = cbos[behalf % len(cbos)] if behalf is not None else None
        apps.append(F.application(prog, org, on_behalf_of=on_behalf))
    db.session.flush()

    def related(a):
        direct = [o for o in (a.organization, a.on_behalf_of) if o is not None]
        return {o.id for o in direct} | {n.id for o in direct for n in nets if o.id in net_members.get(n.id, ())}

    eligible = {a.id: {r.id for r in reviewers if not (member_of[r.id] & related(a))} for a in apps}

    auto_assign(prog)
    pairs = _active(prog.id)
    load = Counter({r.id: 0 for r in reviewers})
    per_app = Counter()
    for a_id, r_id in pairs:
        load[r_id] += 1
        per_app[a_id] += 1
        assert r_id in eligible[a_id], "P1: a conflicted reviewer was assigned"
    for a in apps:
        assert per_app[a.id] == min(s["n"], len(eligible[a.id])), "P2"
    assigned = {(a, r) for a, r in pairs}
    for a_id, r_id in pairs:
        for other in eligible[a_id]:
            if (a_id, other) not in assigned:
                assert load[r_id] - load[other] <= 1, "P3"
    if all(len(e) == len(reviewers) for e in eligible.values()):
        assert max(load.values()) - min(load.values()) <= 1, "P4"
    # Every conflict found in the records was logged.
    logged = {(c.application_id, c.reviewer_id) for c in db.session.execute(
        select(ConflictOfInterest).where(ConflictOfInterest.application_id.in_([a.id for a in apps]))).scalars()}
    assert logged == {(a.id, r.id) for a in apps for r in reviewers if r.id not in eligible[a.id]}
    db.session.rollback()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 8).flatmap(lambda nrev: st.tuples(
    st.just(list(range(nrev))),
    st.lists(st.sets(st.integers(0, nrev - 1)), min_size=1, max_size=12),
    st.integers(1, 5))))
def test_plan_property_pure(args):
    panel, eligible_list, n = args
    eligible = dict(enumerate(eligible_list))
    new = plan(eligible, {}, panel, n)
    load = Counter({r: 0 for r in panel})
    for a, rs in new.items():
        assert len(set(rs)) == len(rs)
        assert set(rs) <= eligible[a]
        load.update(rs)
    for a, e in eligible.items():
        assert len(new.get(a, [])) == min(n, len(e))
        for r in new.get(a, []):
            for other in e - set(new[a]):
                assert load[r] - load[other] <= 1


def test_records_conflicts_by_membership_and_network(world):
    w = world
    rev, rev2 = w.users["reviewer"], w.users["other_reviewer"]
    network = F.organization("network", name="Harbor Network")
    F.network_member(network, w.other_cbo)
    F.membership(rev2, network, "member", title="board member")
    # An invitation not (yet) accepted makes no conflict: rev2's network only invited Eastside.
    F.network_member(network, w.cbo, status="invited")
    F.membership(rev, w.cbo, "member", title="staff")
    w.program.reviewers_per_application = 2
    db.session.execute(ReviewAssignment.__table__.delete())
    auto_assign(w.program)
    pairs = set(_active(w.program.id))
    assert (w.application.id, rev.id) not in pairs
    assert (w.other_application.id, rev2.id) not in pairs
    assert pairs == {(w.application.id, rev2.id), (w.other_application.id, rev.id)}
    reasons = {(c.application_id, c.reviewer_id): str(c.why) for c in
               db.session.execute(select(ConflictOfInterest)).scalars()}
    assert reasons[(w.application.id, rev.id)] == "staff of the applicant organization"
    assert reasons[(w.other_application.id, rev2.id)] == "board member of a network the applicant belongs to"
    actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert actions.count("conflict.records") == 2 and actions.count("assignment.create") == 2


def test_on_behalf_of_org_conflicts(world):
    w = world
    rev = w.users["other_reviewer"]
    net = F.organization("network")
    a = F.application(w.program, net, on_behalf_of=w.other_cbo)
    F.membership(rev, w.other_cbo, "member", title="board member")
    with pytest.raises(AssignmentError) as err:
        assign_by_hand(a, [rev.id], actor_id=w.users["program_officer"].id)
    assert "Ola Reviewer has a conflict of interest" in err.value.message
    assert err.value.field == "reviewers"


def test_hand_assignment_and_declared_conflict_frees_slot(world):
    w = world
    rev, rev2 = w.users["reviewer"], w.users["other_reviewer"]
    w.program.reviewers_per_application = 1
    asg = w.assignment
    new = declare_conflict(asg, "My sister chairs their board.")
    assert asg.status == RECUSED
    # The slot is filled at once by the only other eligible reviewer.
    assert [(n.application_id, n.reviewer_id) for n in new] == [(w.application.id, rev2.id)]
    coi = db.session.execute(select(ConflictOfInterest).where(ConflictOfInterest.source == "declared")).scalar_one()
    assert coi.reason_args == {"reason": "My sister chairs their board."}
    actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert "conflict.declared" in actions and "assignment.recused" in actions
    # A recused reviewer cannot be put back, neither automatically nor by hand.
    with pytest.raises(AssignmentError) as err:
        assign_by_hand(w.application, [rev.id], actor_id=None)
    assert "Declared a conflict" in err.value.message
    auto_assign(w.program)
    assert (w.application.id, rev.id) not in set(_active(w.program.id))


def test_declaration_needs_a_reason(world):
    with pytest.raises(AssignmentError) as err:
        declare_conflict(world.assignment, "   ")
    assert err.value.field == "reason"
    assert world.assignment.status == ASSIGNED


def test_a_conflict_declared_after_reviewing_sets_the_review_aside(world):
    """A reviewer who declares a conflict after submitting (or says they recognize the applicant)
    no longer counts: their scores leave the application's rubric score, their comments leave what
    other reviewers and the applicant read, and the recused place is not a review still to come."""
    from grantflow.core.db import separate_session
    from grantflow.reviews.aggregate import rubric_scores
    from grantflow.reviews.models import SET_ASIDE, Review
    from grantflow.reviews.services import other_reviews
    from grantflow.scoring.standing import standing_of
    from tests.reviews.helpers import review

    w = world
    rev, rev2 = w.users["reviewer"], w.users["other_reviewer"]
    w.program.reviewers_per_application = 2
    own = review(w.application, rev, [5, 5, 5], assign=False)
    own.assignment = w.assignment
    own.comment_to_applicant = "Strong plan."
    other = review(w.application, rev2, [2, 2, 2])
    db.session.commit()
    assert rubric_scores(w.program.id)[w.application.id].n_reviews == 2

    declare_conflict(w.assignment, "I used to volunteer there.")
    db.session.commit()
    with separate_session() as s:
        assert s.get(Review, own.id).status == SET_ASIDE
        assert s.get(Review, other.id).status == "submitted"
    scores = rubric_scores(w.program.id)[w.application.id]
    assert (scores.n_reviews, scores.weighted) == (1, 2.0)
    assert [r.id for r in other_reviews(w.application.id, other)] == []
    standing = standing_of(w.application)
    assert (standing.reviews_in, standing.reviews_waiting) == (1, 0)
    actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert "review.set_aside" in actions
