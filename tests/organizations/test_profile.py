"""The organization profile: EIN and geography checks, demographics only with consent, community
practices and feedback loops."""
from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import select

from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.facts import load_facts
from grantflow.organizations.models import FeedbackLoop, LeadershipProfile
from grantflow.organizations.services import CONSENT_TEXT, normalize_ein, parse_geo_codes
from tests import factories as F


@pytest.fixture
def org_user(app):
    funder = F.funder(name="Riverside Health Foundation", slug="riverside")
    F.place(funder, "36061000100", name="Central Harlem tract", is_priority=True)
    org = F.cbo(name="Eastside Tenants Union", slug="eastside")
    user = F.user("dana@eastside.org", org=org, role=R.APPLICANT)
    other = F.cbo(name="Northside Food Collective", slug="northside")
    other_user = F.user("noor@northside.org", org=other, role=R.APPLICANT)
    db.session.commit()
    return org, user, other, other_user


PROFILE = {
    "name": "Eastside Tenants Union, Inc.", "ein": "123456789", "tax_exempt": "no",
    "fiscal_sponsor_name": "Open Collective Foundation", "fiscal_sponsor_ein": "81-4004928",
    "address_line1": "1 Main St", "city": "New York", "state": "ny", "postal_code": "10027",
    "service_places": ["36061000100"], "service_codes": "36061, 10027-1234 36047000300",
    "annual_budget": "$450,000.50", "staff_size": "12", "year_founded": "1998",
    "mission": "Tenants organizing for healthy homes.", "website": "https://eastside.example.org",
}


def test_profile_saves_normalized_values_and_audits(org_user, login):
    org, user, *_ = org_user
    client = login(user)
    page = client.get("/organizations/eastside/profile").get_data(as_text=True)
    # The tract by its name (from the GEOID) and the name the funder's CHNA gives it.
    assert "Census Tract 1, New York County" in page and "Central Harlem tract" in page
    r = client.post("/organizations/eastside/profile", data=PROFILE)
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.refresh(org)
    assert org.ein == "12-3456789" and org.tax_exempt is False and org.state == "NY"
    assert org.service_area == ["36061000100", "36061", "10027", "36047000300"]
    assert org.annual_budget_cents == 450_000_50 and org.staff_size == 12 and org.year_founded == 1998
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "organization.profile_updated")).scalar_one()
    assert event.after["ein"] == "12-3456789"
    # The form comes back with what was stored.
    page = client.get("/organizations/eastside/profile").get_data(as_text=True)
    assert 'value="12-3456789"' in page and "36061, 10027, 36047000300" in page and "450,000.50" in page


@pytest.mark.parametrize("ein,message", [
    ("12-345678", "Enter the EIN as 9 digits in the form NN-NNNNNNN"),
    ("12-34567890", "Enter the EIN as 9 digits"),
    ("AB-1234567", "Enter the EIN as 9 digits"),
    ("00-1234567", "No EIN starts with 00"),
    ("", "Enter your EIN, like 12-3456789, or name a fiscal sponsor"),  # (no sponsor named: see below)
])
def test_malformed_ein_is_refused_at_the_field(org_user, login, ein, message):
    org, user, *_ = org_user
    sponsor = {} if ein else {"fiscal_sponsor_name": "", "fiscal_sponsor_ein": ""}
    r = login(user).post("/organizations/eastside/profile", data={**PROFILE, "ein": ein, **sponsor})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and message in html
    assert 'id="ein-error"' in html and 'aria-describedby="ein-hint ein-error"' in html
    assert 'value="Eastside Tenants Union, Inc."' in html  # typed values kept
    db.session.refresh(org)
    assert org.name == "Eastside Tenants Union"


@pytest.mark.parametrize("field,value,message", [
    ("year_founded", "1492", "Enter a year between 1700 and"),
    ("year_founded", str(dt.date.today().year + 1), "Enter a year between 1700 and"),
    ("year_founded", "nineteen", "Enter a whole number"),
    ("service_codes", "36061, 123, ABCDE", "“123” is not a FIPS or ZIP code; “ABCDE” is not a FIPS or ZIP code"),
    ("service_codes", "99061000100", "starts with 99, which is no state's FIPS code"),
    ("annual_budget", "a lot", "Enter an amount in dollars"),
    ("annual_budget", "-5", "Enter an amount of zero or more."),
    ("state", "XX", "two-letter abbreviation of a US state"),
    ("postal_code", "1002", "Enter a 5-digit ZIP code"),
    ("fiscal_sponsor_ein", "", "Enter your fiscal sponsor's EIN too."),
    ("mission", "m" * 5001, "Field cannot be longer than 5000 characters."),
    ("service_places", "99999999999", "is not a valid choice"),
])
def test_bad_values_get_a_message_at_their_field(org_user, login, field, value, message):
    _, user, *_ = org_user
    r = login(user).post("/organizations/eastside/profile", data={**PROFILE, field: value})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert message in html.replace("&#34;", '"').replace("&#39;", "'"), html[html.find("error-summary"):][:800]
    assert f'id="{field}-error"' in html


def test_html_in_profile_text_is_escaped(org_user, login):
    org, user, *_ = org_user
    payload = "<script>alert('x')</script>"
    client = login(user)
    client.post("/organizations/eastside/profile", data={**PROFILE, "name": payload, "mission": payload,
                                                          "address_line1": payload, "city": payload})
    db.session.refresh(org)
    assert org.mission == payload
    page = client.get("/organizations/eastside/profile").get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;" in page


def test_demographics_stored_only_with_consent_and_deleted_on_withdrawal(org_user, login):
    org, user, *_ = org_user
    client = login(user)
    page = html.unescape(client.get("/organizations/eastside/demographics").get_data(as_text=True))
    assert str(CONSENT_TEXT) in page  # the statement is shown in full
    data = {"ed_race": ["black", "hispanic"], "board_total": "9", "board_poc": "6", "senior_total": "4",
            "senior_poc_declined": "y"}
    r = client.post("/organizations/eastside/demographics", data=data)  # no consent ticked
    assert r.status_code == 200 and "Nothing was stored" in r.get_data(as_text=True)
    assert db.session.execute(select(LeadershipProfile)).first() is None
    r = client.post("/organizations/eastside/demographics", data={**data, "consent": "y"})
    assert r.status_code == 302
    lp = db.session.execute(select(LeadershipProfile)).scalar_one()
    assert lp.ed_race == ["black", "hispanic"] and lp.board_total == 9 and lp.board_poc == 6
    assert lp.senior_total == 4 and lp.senior_poc is None and lp.declined == ["senior_poc"]
    assert lp.consent_given_at is not None and lp.consent_version
    page = client.get("/organizations/eastside/demographics").get_data(as_text=True)
    assert "67% identify as people of color" in page  # the derived share
    # Scoring and audit read it through the shared facts.
    prog = F.program(F.funder(slug="f2"), slug="p2")
    F.application(prog, org)
    db.session.commit()
    _, facts = load_facts(prog.id)
    assert facts[0].demographics_consented and facts[0].ed_poc is True and facts[0].board_poc == 6
    # Withdrawing consent deletes every answer.
    r = client.post("/organizations/eastside/demographics", data={**data})
    assert r.status_code == 200 and "every demographic answer is deleted" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(LeadershipProfile)).first() is None
    _, facts = load_facts(prog.id)
    assert not facts[0].demographics_consented and facts[0].board_poc is None
    actions = [e.action for e in db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
    assert "demographics.consent_given" in actions and "demographics.consent_withdrawn" in actions


@pytest.mark.parametrize("data,field,message", [
    ({"board_total": "3", "board_poc": "5"}, "board_poc", "cannot be more than the total (3)"),
    ({"ed_race": ["white", "prefer_not_to_say"]}, "ed_race", "on its own"),
    ({"ed_race": ["another"]}, "ed_race", "Describe the other identity"),
    # Typed without ticking "Another identity": it was thrown away with "saved".
    ({"ed_race": ["black"], "ed_race_other": "Zapotec"}, "ed_race_other", "Tick “Another identity”"),
    ({"senior_total": "-1"}, "senior_total", "Enter a number from 0 up."),
])
def test_demographics_validation(org_user, login, data, field, message):
    _, user, *_ = org_user
    r = login(user).post("/organizations/eastside/demographics", data={**data, "consent": "y"})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and message in page and f'{field}-error' in page
    assert db.session.execute(select(LeadershipProfile)).first() is None


def test_prefer_not_to_say_is_recorded(org_user, login):
    org, user, *_ = org_user
    login(user).post("/organizations/eastside/demographics",
                     data={"consent": "y", "ed_race": ["prefer_not_to_say"], "board_total_declined": "y",
                           "board_total": "7"})
    lp = db.session.execute(select(LeadershipProfile)).scalar_one()
    assert lp.ed_race == ["prefer_not_to_say"] and lp.board_total is None and "board_total" in lp.declined


def test_practices_and_feedback_loops_add_remove(org_user, login):
    org, user, *_ = org_user
    client = login(user)
    base = {"board_total": "8", "board_lived_experience": "6", "board_in_service_area": "7", "staff_total": "5",
            "staff_lived_experience": "3", "staff_in_service_area": "4", "community_decision_power": "yes",
            "decision_power_description": "Residents hold a board majority.",
            "loops-0-method": "Tenant assembly", "loops-0-frequency": "monthly",
            "loops-0-recent_change": "Moved meetings to evenings."}
    html = client.post("/organizations/eastside/practices", data={**base, "action": "add_loop"}).get_data(as_text=True)
    assert 'name="loops-1-method"' in html and 'value="Tenant assembly"' in html
    data = {**base, "loops-1-method": "Door-to-door survey", "loops-1-frequency": "yearly",
            "loops-2-method": "Text line", "loops-2-frequency": "weekly"}
    html = client.post("/organizations/eastside/practices", data={**data, "action": "remove_loop:1"}).get_data(as_text=True)
    assert "Door-to-door survey" not in html and 'value="Text line"' in html
    r = client.post("/organizations/eastside/practices", data={**data, "action": "save"})
    assert r.status_code == 302
    db.session.refresh(org)
    assert org.practices.board_lived_experience == 6 and org.practices.community_decision_power is True
    assert [(l.method, l.frequency) for l in org.feedback_loops] == [
        ("Tenant assembly", "monthly"), ("Door-to-door survey", "yearly"), ("Text line", "weekly")]
    # Removing one and saving deletes it.
    data.pop("loops-2-method"), data.pop("loops-2-frequency")
    client.post("/organizations/eastside/practices", data={**data, "action": "save"})
    assert len(db.session.execute(select(FeedbackLoop)).scalars().all()) == 2


@pytest.mark.parametrize("data,message", [
    ({"board_total": "2", "board_lived_experience": "3"}, "cannot be more than the total (2)"),
    ({"loops-0-method": "Survey", "loops-0-frequency": ""}, "Choose how often you do this."),
    ({"loops-0-method": "", "loops-0-recent_change": "We changed hours."}, "Describe how you ask for feedback."),
    ({"loops-0-method": "Survey", "loops-0-frequency": "hourly"}, "Choose how often from the list."),
])
def test_practices_validation(org_user, login, data, message):
    """The message is at the field and in the summary at the top, which links to that field (a
    feedback loop's field by its loop's number), never as raw data ("{'method': [...]}")."""
    _, user, *_ = org_user
    r = login(user).post("/organizations/eastside/practices", data={**data, "action": "save"})
    body = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and message in body
    summary = body[body.index('id="error-summary"'):body.index("</div>", body.index('id="error-summary"'))]
    assert message in summary and "{" not in summary and "[" not in summary
    if "loops-0-" in " ".join(data):
        field = next(k for k in data if k.startswith("loops-0-") and (not data[k] or k.endswith("frequency")))
        assert f'href="#{field}"' in summary and "Feedback loops 1: " in summary


def test_a_plain_cbo_has_no_members_page(org_user, login):
    """Only networks list members (inviting them: tests/organizations/test_network_consent.py)."""
    _, user, *_ = org_user
    assert login(user).get("/organizations/eastside/members").status_code == 404
    assert login(user).post("/organizations/eastside/members", data={"action": "invite"}).status_code == 404


def test_foreign_profile_is_404(org_user, login):
    _, user, other, _ = org_user
    client = login(user)
    for path in ("profile", "demographics", "practices"):
        assert client.get(f"/organizations/northside/{path}").status_code == 404
        assert client.post(f"/organizations/northside/{path}", data={"name": "Taken"}).status_code == 404
    db.session.refresh(other)
    assert other.name == "Northside Food Collective"


def test_unit_helpers():
    assert normalize_ein(" 12-3456789 ") == "12-3456789"
    assert parse_geo_codes("36, 36061\n36061000100;360610001001 10027-0001") == [
        "36", "36061", "36061000100", "360610001001", "10027"]
    with pytest.raises(ValueError, match="“1234” is not"):
        parse_geo_codes("1234")


def test_html_in_practices_and_demographics_text_is_escaped(org_user, login):
    _, user, *_ = org_user
    payload = '<img src=x onerror="alert(1)">'
    client = login(user)
    client.post("/organizations/eastside/practices", data={
        "decision_power_description": payload, "loops-0-method": payload, "loops-0-frequency": "monthly",
        "loops-0-recent_change": payload, "action": "save"})
    client.post("/organizations/eastside/demographics", data={"consent": "y", "ed_race": ["another"],
                                                              "ed_race_other": payload})
    for path in ("practices", "demographics"):
        page = client.get(f"/organizations/eastside/{path}").get_data(as_text=True)
        assert payload not in page and "&lt;img" in page


def test_primary_contact_is_saved_and_shown_again(org_user, login):
    """The person funders' letters are addressed to (issue 16)."""
    org, user, *_ = org_user
    client = login(user)
    r = client.post("/organizations/eastside/profile",
                    data={**PROFILE, "contact_name": "Maria Lopez", "contact_title": "Executive Director"})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(type(org), org.id)
    assert (saved.contact_name, saved.contact_title) == ("Maria Lopez", "Executive Director")
    page = client.get("/organizations/eastside/profile").get_data(as_text=True)
    assert 'value="Maria Lopez"' in page and 'value="Executive Director"' in page


def test_a_spanish_page_reads_amounts_as_it_writes_them(org_user, login):
    """On a Spanish page "230.000" is two hundred thirty thousand dollars (it was saved as $230,
    with "Su perfil se guardó."); "230,000" there could be read two ways and is refused at the
    field, kept as typed."""
    from grantflow.core.db import separate_session
    from grantflow.organizations.models import Organization

    org, user, *_ = org_user
    client = login(user)
    client.post("/language", data={"locale": "es", "next": "/account"})
    r = client.post("/organizations/eastside/profile", data={**PROFILE, "annual_budget": "230.000"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with separate_session() as s:
        assert s.get(Organization, org.id).annual_budget_cents == 230_000_00
    page = client.get("/organizations/eastside/profile").get_data(as_text=True)
    assert 'value="230.000"' in page
    r = client.post("/organizations/eastside/profile", data={**PROFILE, "annual_budget": "230,000"})
    assert r.status_code == 422 and 'value="230,000"' in r.get_data(as_text=True)
    with separate_session() as s:
        assert s.get(Organization, org.id).annual_budget_cents == 230_000_00
