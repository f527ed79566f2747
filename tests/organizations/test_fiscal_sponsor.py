"""Fiscally sponsored groups and incomplete profiles: the EIN is optional when a fiscal sponsor
with its EIN is named; eligibility counts sponsorship; a profile that does not say yet is told
what to complete, never that it "does not meet" a rule."""
from __future__ import annotations

import re

from grantflow.applications import eligibility
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import Organization
from tests import factories as F

PROFILE = {"name": "Block Club Collective", "tax_exempt": "no"}


def _org_and_client(login, **fields):
    org = F.organization("cbo", name="Block Club Collective", slug="block-club", **fields)
    user = F.user("kim@blockclub.org", org=org, role=R.APPLICANT)
    db.session.commit()
    return org, login(user)


def _fresh(org_id):
    db.session.expire_all()
    return db.session.get(Organization, org_id)


def test_ein_is_optional_when_a_fiscal_sponsor_with_its_ein_is_named(app, login):
    org, client = _org_and_client(login)
    r = client.post("/organizations/block-club/profile", data=PROFILE)
    assert r.status_code == 422
    assert "or name a fiscal sponsor" in r.get_data(as_text=True)
    r = client.post("/organizations/block-club/profile", data={
        **PROFILE, "fiscal_sponsor_name": "Community Fiscal Partners", "fiscal_sponsor_ein": "98-7654321"})
    assert r.status_code == 302, r.get_data(as_text=True)
    saved = _fresh(org.id)
    assert saved.ein is None and saved.fiscal_sponsor_ein == "98-7654321"
    assert saved.fiscal_sponsor_name == "Community Fiscal Partners"
    page = client.get("/organizations/block-club/profile").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="no"', page)  # shown again as saved


def test_eligibility_understands_sponsorship(app):
    funder = F.funder()
    program = F.program(funder, require_tax_exempt_or_sponsor=True, require_service_area_in_region=False)
    sponsored = F.organization("cbo", tax_exempt=False, fiscal_sponsor_name="Partners", fiscal_sponsor_ein="98-7654321")
    assert eligibility.check(sponsored, program) == []
    plain = F.organization("cbo", ein="12-3456789", tax_exempt=False)
    [failure] = eligibility.check(plain, program)
    assert failure.rule == "tax_exempt" and not failure.incomplete
    half = F.organization("cbo", tax_exempt=False, fiscal_sponsor_name="Partners")
    [failure] = eligibility.check(half, program)
    assert failure.incomplete and "EIN" in failure.reason


def test_an_empty_profile_is_told_what_to_complete_never_does_not_meet(app, login):
    funder = F.funder(slug="riverside", service_area=["36061"])
    program = F.program(funder, slug="health-2026", require_tax_exempt_or_sponsor=True,
                        max_applicant_budget_cents=1_000_000_00, require_service_area_in_region=True)
    org, client = _org_and_client(login)
    failures = eligibility.check(org, program)
    assert [f.rule for f in failures] == ["tax_exempt", "budget", "service_area"]
    assert all(f.incomplete for f in failures)
    for url in ("/programs/health-2026", "/programs/health-2026/apply"):
        html = client.get(url).get_data(as_text=True)
        assert "does not meet" not in html and "is not tax-exempt" not in html, url
        assert "complete your profile" in html.lower(), url
        assert "/organizations/block-club/profile" in html
    r = client.post("/programs/health-2026/apply", data={})
    assert r.status_code == 422 and "does not meet" not in r.get_data(as_text=True)
