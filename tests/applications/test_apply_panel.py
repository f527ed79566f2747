"""The public program page tells an applicant, before any draft exists, whether its organization
is eligible, and which rule fails and why when it is not."""
from __future__ import annotations

from grantflow.core.db import db


def test_program_page_names_the_failed_rule(world, login):
    world.program.max_applicant_budget_cents = 100_000_00
    world.cbo.annual_budget_cents = 900_000_00
    db.session.commit()
    page = login(world.users["applicant"]).get(f"/programs/{world.program.slug}").get_data(as_text=True)
    assert "does not meet" in page and world.cbo.name in page
    assert "Start an application" not in page


def test_program_page_offers_to_start_when_eligible(world, login):
    world.program.require_service_area_in_region = False
    world.program.max_applicant_budget_cents = None
    db.session.commit()
    page = login(world.users["applicant"]).get(f"/programs/{world.program.slug}").get_data(as_text=True)
    assert f"Start an application for {world.cbo.name}" in page
