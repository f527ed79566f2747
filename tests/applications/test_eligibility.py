"""Eligibility: each failed rule with a plain reason, before the applicant invests time."""
from __future__ import annotations

from sqlalchemy import func, select

from grantflow.applications import eligibility
from grantflow.applications.models import Application
from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F


def _rules(org, program):
    return {f.rule: f.reason for f in eligibility.check(org, program)}


def test_eligible_cbo_passes_every_rule(scene):
    scene.program.max_applicant_budget_cents = 1_000_000_00
    assert eligibility.check(scene.cbo, scene.program) == []


def test_each_rule_fails_with_its_reason(scene):
    p = scene.program
    p.max_applicant_budget_cents = 250_000_00
    org = F.cbo(name="Uptown Arts", tax_exempt=False, annual_budget_cents=900_000_00, service_area=["06037"])
    rules = _rules(org, p)
    assert set(rules) == {"tax_exempt", "budget", "service_area"}
    assert "not tax-exempt and names no fiscal sponsor" in rules["tax_exempt"]
    assert "at most $250,000; your profile gives $900,000" in rules["budget"]
    # Both by name, not by code.
    assert "funds work inside its region (New York County, New York)" in rules["service_area"]
    assert "none of the places in your service area (Los Angeles County, California) is inside it" in rules["service_area"]
    # A fiscal sponsor satisfies the first rule; a place inside the region the third.
    org.fiscal_sponsor_name, org.fiscal_sponsor_ein = "Open Collective Foundation", "81-4004928"
    org.service_area = ["06037", "36061000200"]
    assert set(_rules(org, p)) == {"budget"}
    org.annual_budget_cents = None
    assert "Add your annual budget to your profile" in _rules(org, p)["budget"]
    org.service_area = []
    assert "Add the places you serve" in _rules(org, p)["service_area"]


def test_rules_that_are_off_are_not_checked(scene):
    p = scene.program
    p.require_tax_exempt_or_sponsor = False
    p.require_service_area_in_region = False
    org = F.cbo(tax_exempt=False, service_area=[])
    assert eligibility.check(org, p) == []


def test_zip_code_place_of_the_funder_counts_as_inside(scene):
    F.place(scene.funder, "10027", name="ZCTA 10027")
    org = F.cbo(service_area=["10027"])
    assert eligibility.check(org, scene.program) == []


def test_start_page_tells_which_rule_and_refuses_to_start(scene, login):
    scene.cbo.tax_exempt = False
    scene.program.max_applicant_budget_cents = 100_000_00
    db.session.commit()
    client = login(scene.user)
    page = client.get("/programs/health-2026/apply").get_data(as_text=True)
    assert "Tax-exempt status or a fiscal sponsor" in page and "Annual budget" in page
    assert "Start an application" not in page
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 422 and "does not meet this program" in r.get_data(as_text=True)
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == 0


def test_network_applies_on_behalf_of_a_member(scene, login):
    net = F.organization("network", name="Harlem CBO Network", slug="harlem-net", ein="13-1111111",
                         tax_exempt=True, service_area=["36061"])
    F.network_member(net, scene.cbo)
    staff = F.user("net@harlem.org", org=net, role=R.APPLICANT)
    db.session.commit()
    client = login(staff)
    page = client.get("/programs/health-2026/apply").get_data(as_text=True)
    assert "Harlem CBO Network, on behalf of Eastside Tenants Union" in page
    spanish = client.get("/programs/health-2026/apply", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Harlem CBO Network, en nombre de Eastside Tenants Union" in spanish  # it was English there
    r = client.post("/programs/health-2026/apply", data={"applicant": f"{net.id}:{scene.cbo.id}"})
    assert r.status_code == 302
    a = db.session.execute(select(Application)).scalar_one()
    assert a.organization_id == net.id and a.on_behalf_of_id == scene.cbo.id and a.applicant is scene.cbo
    # The member's own staff do not see the network's draft; the network's staff do.
    assert login(scene.user).get(f"/applications/{a.id}/edit").status_code == 404
    assert client.get(f"/applications/{a.id}/edit").status_code == 200
    # A made-up member key is refused.
    r = client.post("/programs/health-2026/apply", data={"applicant": f"{net.id}:{scene.other_cbo.id}"})
    assert r.status_code == 422


def test_draft_program_is_not_found_and_staff_cannot_apply(scene, login):
    assert login(scene.officer).get("/programs/health-2026/apply").status_code == 403
    scene.program.status = "draft"
    db.session.commit()
    assert login(scene.user).get("/programs/health-2026/apply").status_code == 404
