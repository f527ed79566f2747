"""Places chosen the way people name them: tract and county names from the GEOID, the search by ZIP
code, city, neighborhood and tract name (through the crosswalk), in the profile and the
application; a chosen ZIP saves its tracts; odd queries get a message at the field."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from grantflow.applications.models import Application
from grantflow.chna import crosswalk, names, search
from grantflow.core.db import db
from grantflow.organizations.models import Organization
from tests import factories as F
from tests.applications.conftest import build_scene

CROSSWALK = (
    "ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,BUS_RATIO,OTH_RATIO,TOT_RATIO,NEIGHBORHOOD\n"
    "10027,36061000100,NEW YORK,NY,0.6,0.5,0.4,0.58,Harlem\n"
    "10027,36061000200,NEW YORK,NY,0.4,0.5,0.6,0.42,Morningside Heights\n"
    "10030,36061000200,NEW YORK,NY,1,1,1,1,Morningside Heights\n"
    "11101,36081000400,LONG ISLAND CITY,NY,1,1,1,1,\n"
    "92501,06065040501,RIVERSIDE,CA,1,1,1,1,Downtown\n"
)


def _scene():
    s = build_scene(questions=False)
    s.queens = F.place(s.funder, "36081000400", name="Census Tract 4; Queens County; New York", need_index=0.55)
    s.riverside = F.place(s.funder, "06065040501", name="Census Tract 405.01; Riverside County; California",
                          need_index=0.812, is_priority=True)
    crosswalk.import_bytes(s.funder.id, CROSSWALK.encode())
    db.session.commit()
    return s


def _geoids(opts):
    return sorted(o.geoid for o in opts)


def test_names_from_the_geoid(app):
    assert names.tract_name("06065040501") == "Census Tract 405.01, Riverside County"
    assert names.tract_name("36061018400") == "Census Tract 184, New York County"
    assert names.area_name("06065") == "Riverside County, California"
    assert names.area_name("09110") == "Capitol Planning Region, Connecticut"
    assert names.area_name("06") == "California"
    assert names.area_name("92501") == "ZIP code 92501"
    assert names.area_name("060650405011") == "Block Group 1, Census Tract 405.01, Riverside County"
    assert names.region_name(["06065", "06071"]) == "Riverside County, California; San Bernardino County, California"


def test_search_by_zip_city_neighborhood_and_tract_name(any_app):
    s = _scene()
    opts = search.options([s.funder.id])
    find = lambda q: _geoids(search.find(opts, search.clean_query(q)))  # noqa: E731
    assert find("10027") == ["36061000100", "36061000200"]
    assert find("10030-1234") == ["36061000200"]          # ZIP+4
    assert find("Long Island City") == ["36081000400"]    # the crosswalk's city
    assert find("long island") == ["36081000400"]
    assert find("Morningside") == ["36061000200"]         # its neighborhood
    assert find("harlem") == ["36061000100"]
    assert find("Riverside") == ["06065040501"]
    assert find("405.01") == ["06065040501"]              # the tract's number
    assert find("Tract 4 Queens") == ["36081000400"]      # its name, county included
    assert find("36061000200") == ["36061000200"]         # its GEOID
    assert find("99999") == [] and find("") == []
    riverside = next(o for o in opts if o.geoid == "06065040501")
    assert riverside.label == ("Census Tract 405.01, Riverside County (Downtown, Riverside · ZIP 92501) "
                               "— need index 0.81 — priority place")


def test_odd_queries_answer_at_the_field(any_app):
    s = _scene()
    opts = search.options([s.funder.id])
    p = search.picker(opts, "9250", [])
    assert "No places match “9250”" in p.message and "type 09250" in p.message
    p = search.picker(opts, "x" * 5000, [])
    assert "at most 100 characters" in p.message and p.results == [] and len(p.query) <= 200
    p = search.picker(opts, "10027", [s.tract.id])
    assert p.zip == "10027" and [o.geoid for o in p.chosen] == ["36061000100"]
    assert [o.geoid for o in p.results] == ["36061000200"]   # the chosen one is listed once, as chosen


def test_profile_finds_by_zip_and_saves_the_zips_tracts(any_app, login):
    s = _scene()
    client = login(s.user)
    page = client.get("/organizations/eastside/profile?places_q=10027").get_data(as_text=True)
    assert "Places matching “10027”: 1" in page              # tract 1 is already in the profile
    assert "Census Tract 2, New York County" in page and "Morningside Heights" in page
    assert "need index 0.30" in page and 'value="10027"' in page
    form = {"name": "Eastside Tenants Union", "ein": "12-3456789", "tax_exempt": "yes", "service_places": ["36061000100"],
            "places_q": "10030", "action": "choose_zip:10030"}
    r = client.post("/organizations/eastside/profile", data=form)
    assert r.status_code == 303 and "places_q=10030" in r.headers["Location"]
    db.session.expire_all()
    org = db.session.execute(select(Organization).where(Organization.slug == "eastside")).scalar_one()
    assert org.service_area == ["36061000100", "36061000200"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Chosen places: 2" in page
    # A search with an invalid profile keeps everything typed and says what is wrong.
    r = client.post("/organizations/eastside/profile", data={**form, "ein": "12", "places_q": "Harlem",
                                                              "action": "find_places"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="12"' in html and 'value="Harlem"' in html
    assert "Places matching “Harlem”: the place is already chosen" in html


@pytest.mark.parametrize("query", ["9250", "x" * 3000, "%", "\u202e\u0000?", "10027-", "' OR 1=1 --"])
def test_profile_search_never_fails(app, login, query):
    s = _scene()
    r = login(s.user).get("/organizations/eastside/profile", query_string={"places_q": query})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="places_q-error"' in html or "Places matching" in html


def _draft(s, login):
    client = login(s.user)
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 302, r.get_data(as_text=True)
    return client, int(r.headers["Location"].rstrip("/").split("/")[-2])


def test_application_search_and_choosing_a_zip_saves_its_tracts(any_app, login):
    s = _scene()
    client, app_id = _draft(s, login)
    page = client.get(f"/applications/{app_id}/edit").get_data(as_text=True)
    assert "Chosen places: 1" in page      # from the profile's places
    r = client.post(f"/applications/{app_id}/edit", data={
        "title": "Healthy homes", "places": [str(s.tract.id)], "places_q": "Long Island City",
        "action": "find_places"})
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Places matching “Long Island City”: 1" in page and "Census Tract 4, Queens County" in page
    assert 'value="Long Island City"' in page and 'value="Healthy homes"' in page
    r = client.post(f"/applications/{app_id}/edit", data={
        "title": "Healthy homes", "places": [str(s.tract.id)], "places_q": "10030", "action": "choose_zip:10030"})
    assert r.status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, app_id)
    assert sorted(p.geoid for p in application.places) == ["36061000100", "36061000200"]
    assert application.title == "Healthy homes"
    # An odd ZIP is answered at the field; nothing is lost.
    r = client.post(f"/applications/{app_id}/edit", data={
        "title": "Healthy homes", "places": [str(s.tract.id)], "places_q": "1003", "action": "find_places"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="places_q-error"' in page and "A ZIP code has 5 digits" in page
    r = client.post(f"/applications/{app_id}/edit", data={"places_q": "1", "action": "choose_zip:1" + "9" * 400})
    assert r.status_code == 303
