"""A program with needs, places and custom questions, and a CBO applicant with a profile."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.programs.models import CustomQuestion
from tests import factories as F


def build_scene(program_fields=None, questions=True):
    s = SimpleNamespace()
    s.funder = F.funder(name="Riverside Health Foundation", slug="riverside", service_area=["36061"])
    s.cbo = F.cbo(name="Eastside Tenants Union", slug="eastside", service_area=["36061000100"])
    s.other_cbo = F.cbo(name="Northside Food Collective", slug="northside")
    s.program = F.program(s.funder, slug="health-2026", title="Community Health 2026", **(program_fields or {}))
    s.housing = F.need(s.funder, "Housing", 1)
    s.food = F.need(s.funder, "Food access", 2)
    s.tract = F.place(s.funder, "36061000100", name="Tract 1", is_priority=True, need_index=0.9)
    s.tract2 = F.place(s.funder, "36061000200", name="Tract 2", need_index=0.3)
    if questions:
        s.q_staff = CustomQuestion(program=s.program, position=0, key="staff", label="How many staff work on it?",
                                   kind="number", required=True, min_value=1, max_value=500)
        s.q_story = CustomQuestion(program=s.program, position=1, key="story", label="Tell us a story",
                                   kind="long_text", required=False, word_limit=50)
        db.session.add_all([s.q_staff, s.q_story])
    s.user = F.user("dana@eastside.org", "Dana Rivera", org=s.cbo, role=R.APPLICANT)
    s.other_user = F.user("noor@northside.org", "Noor", org=s.other_cbo, role=R.APPLICANT)
    s.officer = F.user("po@riverside.org", "Pat Officer", org=s.funder, role=R.PROGRAM_OFFICER)
    s.reviewer = F.user("rev@riverside.org", "Rae Reviewer", org=s.funder, role=R.REVIEWER)
    db.session.commit()
    return s


def complete_form(s, **overrides) -> dict:
    """A form that can be submitted: every required field, budget matching the request."""
    data = {
        "title": "Healthy homes", "summary": "Repairs that keep asthma away.",
        "needs": [str(s.housing.id)], "places": [str(s.tract.id)],
        "amount_requested": "50,000",
        "budget-0-category": "Staff", "budget-0-description": "Two organizers", "budget-0-amount": "30000",
        "budget-1-category": "Repairs", "budget-1-description": "", "budget-1-amount": "20,000.00",
        "outcomes-0-metric": "units", "outcomes-0-target": "40 homes repaired",
        "community_voice": "Tenants choose the buildings.",
        "q_staff": "4", "q_story": "Short story.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def scene(app):
    return build_scene()


@pytest.fixture
def draft(scene, login):
    """A started draft of the scene's CBO, and its logged-in client."""
    client = login(scene.user)
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 302, r.get_data(as_text=True)
    app_id = int(r.headers["Location"].rstrip("/").split("/")[-2])
    return SimpleNamespace(id=app_id, client=client)
