"""An applicant finds its places the way people name them, in Chromium: by ZIP code in the profile
(choosing all of the ZIP's tracts, shown by name with their need index), by neighborhood name in the
application (which starts from the profile's places); Enter in the search field searches. Every
page is checked with axe-core; what was chosen is read back from the database."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.chna import crosswalk
from grantflow.core import roles as R
from grantflow.core.db import db
from grantflow.organizations.models import Organization
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible, log_in

pytestmark = pytest.mark.browser

CROSSWALK = (b"ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,BUS_RATIO,OTH_RATIO,TOT_RATIO,NEIGHBORHOOD\n"
             b"10027,36061021900,NEW YORK,NY,0.55,0.5,0.5,0.55,Morningside Heights\n"
             b"10027,36061022102,NEW YORK,NY,0.45,0.5,0.5,0.45,Hamilton Heights\n"
             b"10029,36061016200,NEW YORK,NY,1,1,1,1,East Harlem\n")


def _seed(app):
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside", service_area=["36061"])
        F.program(funder, slug="healthy-homes", title="Healthy Homes 2026")
        F.need(funder, "Safe, stable housing", 1)
        for geoid, need in (("36061021900", 0.62), ("36061022102", 0.88), ("36061016200", 0.93)):
            F.place(funder, geoid, name=f"Census Tract {int(geoid[5:9])}.{geoid[9:]}; New York County; New York",
                    need_index=need, is_priority=need > 0.9)
        crosswalk.import_bytes(funder.id, CROSSWALK)
        org = F.cbo(name="Eastside Tenants Union", slug="eastside", service_area=[])
        F.user("dana@eastside.org", "Dana Rivera", org=org, role=R.APPLICANT)
        db.session.commit()


def test_applicant_finds_places_by_zip_and_by_neighborhood(live_server, page):
    app, base = live_server.app, live_server.url
    _seed(app)
    csp = CspViolations(page)
    log_in(page, base, "dana@eastside.org")
    page.goto(base + "/organizations/eastside/profile")
    assert_accessible(page)

    # By ZIP code, with Enter in the search field (places.js): the ZIP's two tracts, by name.
    page.get_by_label("Find places by ZIP code, city, neighborhood or tract").fill("10027")
    page.get_by_label("Find places by ZIP code, city, neighborhood or tract").press("Enter")
    page.wait_for_url(re.compile(r"places_q=10027"))
    results = page.locator("#places-results")
    expect(results).to_contain_text("Places matching “10027”: 2")
    expect(results).to_contain_text("Census Tract 219, New York County")
    expect(results).to_contain_text("Hamilton Heights")
    expect(results).to_contain_text("need index 0.88")
    expect(page.get_by_label("Find places by ZIP code, city, neighborhood or tract")).to_have_value("10027")
    assert_accessible(page)
    page.get_by_role("button", name="Choose all 2 tracts of ZIP 10027").click()
    page.wait_for_url(re.compile(r"places_q=10027"))
    expect(page.locator("#places-chosen")).to_contain_text("Chosen places: 2")
    with app.app_context():
        org = db.session.execute(select(Organization).where(Organization.slug == "eastside")).scalar_one()
        assert sorted(org.service_area) == ["36061021900", "36061022102"]

    # The application starts from the profile's places; a neighborhood name finds one more.
    page.goto(base + "/programs/healthy-homes")
    page.get_by_role("button", name=re.compile("Start")).first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit"))
    app_id = int(re.search(r"/applications/(\d+)/edit", page.url).group(1))
    expect(page.locator("#places-chosen")).to_contain_text("Chosen places: 2")
    page.get_by_label("Project title").fill("Healthy homes uptown")
    search = page.get_by_label("Find places by ZIP code, city, neighborhood or tract")
    search.fill("east harlem")
    page.get_by_role("button", name="Find places").click()
    page.wait_for_url(re.compile(r"places_q=east"))
    expect(page.locator("#places-results")).to_contain_text("Census Tract 162, New York County")
    expect(page.locator("#places-results")).to_contain_text("priority place")
    expect(page.get_by_label("Project title")).to_have_value("Healthy homes uptown")  # nothing typed is lost
    assert page.evaluate("document.activeElement.id") == "places_q"
    assert_accessible(page)
    page.get_by_label(re.compile("Census Tract 162, New York County")).check()
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.get_by_text("Draft saved.").first).to_be_visible()
    with app.app_context():
        application = db.session.get(Application, app_id)
        assert sorted(p.geoid for p in application.places) == ["36061016200", "36061021900", "36061022102"]
        assert application.title == "Healthy homes uptown"
    csp.check()
