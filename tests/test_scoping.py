"""Every object read is scoped: a CBO sees only its own records, a reviewer only what is assigned,
funder staff only their funder's; on both database backends."""
from __future__ import annotations

from grantflow.applications.policy import scope_applications
from grantflow.core.db import db
from grantflow.core.policy import can
from grantflow.reviews.models import RECUSED
from tests.conftest import build_world


def _visible(user) -> set[int]:
    return {a.id for a in db.session.execute(scope_applications(user)).scalars().unique()}


def test_scope_applications_by_role(any_app):
    w = build_world()
    mine, theirs = w.application.id, w.other_application.id
    u = w.users
    assert _visible(u["applicant"]) == {mine}
    assert _visible(u["other_applicant"]) == {theirs}
    assert _visible(u["reviewer"]) == {mine}
    assert _visible(u["other_reviewer"]) == set()
    assert _visible(u["community_advisor"]) == set()
    assert _visible(u["program_officer"]) == {mine, theirs}
    assert _visible(u["funder_admin"]) == {mine, theirs}
    assert _visible(u["other_officer"]) == set()


def test_object_policies_agree_with_the_scope(any_app):
    w = build_world()
    for name, user in w.users.items():
        visible = _visible(user)
        for application in (w.application, w.other_application):
            assert can("application.view", application, user=user) == (application.id in visible), name
    assert can("application.edit", w.application, user=w.users["applicant"])
    assert not can("application.edit", w.other_application, user=w.users["applicant"])
    assert not can("application.edit", w.application, user=w.users["program_officer"])
    assert can("application.review", w.application, user=w.users["reviewer"])
    assert not can("application.review", w.application, user=w.users["other_reviewer"])


def test_a_recused_reviewer_loses_sight_of_the_application(any_app):
    w = build_world()
    w.assignment.status = RECUSED
    db.session.commit()
    assert _visible(w.users["reviewer"]) == set()
    assert not can("application.view", w.application, user=w.users["reviewer"])


def test_dashboard_lists_only_the_users_own_records(world, login):
    mine = login(world.users["applicant"]).get("/dashboard").get_data(as_text=True)
    assert "Eastside Tenants Union" in mine and "Northside Food Collective" not in mine
    reviewer = login(world.users["reviewer"]).get("/dashboard").get_data(as_text=True)
    assert f"/reviews/{world.application.id}" in reviewer or "Community Health 2026" in reviewer
    assert "Northside" not in reviewer
