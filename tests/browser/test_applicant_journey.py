"""A CBO's journey in Chromium: register, fill the profile, start an application, leave, come
back, submit with errors, fix them and submit; a session that ends mid-edit loses nothing; the
whole application can be filled with the keyboard alone. Every page is checked with axe-core."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grantflow.applications.models import SUBMITTED, Application
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.programs.models import CustomQuestion
from tests import factories as F
from tests.browser.conftest import CspViolations, assert_accessible, confirm_email, fill_login, log_in

pytestmark = pytest.mark.browser


def seed(app, *, applicant: bool = False):
    with app.app_context():
        funder = F.funder(name="Riverside Health Foundation", slug="riverside", service_area=["36061"])
        program = F.program(funder, slug="healthy-homes", title="Healthy Homes 2026",
                            closes_at=utcnow() + dt.timedelta(days=20))
        F.need(funder, "Safe, stable housing", 1)
        F.need(funder, "Food access", 2)
        F.place(funder, "36061000100", name="Central Harlem North", is_priority=True)
        F.place(funder, "36061000200", name="East Harlem South")
        db.session.add(CustomQuestion(program=program, key="staff", label="How many staff work on the project?",
                                      kind="number", required=True, min_value=1, max_value=500))
        ids = {"program": program.id}
        if applicant:
            org = F.cbo(name="Eastside Tenants Union", slug="eastside", service_area=["36061000100"])
            F.user("dana@eastside.org", "Dana Rivera", org=org, role=R.APPLICANT)
        db.session.commit()
        return ids


def wait_saved(page):
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Saved at"), timeout=10_000)


def test_cbo_registers_profiles_applies_leaves_returns_fixes_and_submits(page, live_server):
    seed(live_server.app)
    base = live_server.url
    page.goto(base + "/register")
    page.get_by_label("Your name").fill("Dana Rivera")
    page.get_by_label("Email").fill("dana@eastside.org")
    page.get_by_label("Organization's legal name").fill("Eastside Tenants Union")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Repeat password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    confirm_email(page, live_server.app, "dana@eastside.org")
    assert_accessible(page)

    # The profile: a malformed EIN first, told at the field.
    page.get_by_role("link", name=re.compile("profile")).click()
    assert_accessible(page)
    page.get_by_label("Employer Identification Number (EIN)").fill("12-34")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Other places you serve, as codes").fill("36061000100")
    page.get_by_label("Annual operating budget ($)").fill("450,000")
    page.get_by_label("Year founded").fill("1998")
    page.get_by_label("Mission").fill("Tenants organizing for healthy homes.")
    page.get_by_role("button", name="Save profile").click()
    ein = page.get_by_label("Employer Identification Number (EIN)")
    expect(page.locator("#ein-error")).to_contain_text("NN-NNNNNNN")
    assert "ein-error" in ein.get_attribute("aria-describedby")
    expect(page.get_by_label("Mission")).to_have_value("Tenants organizing for healthy homes.")
    assert_accessible(page)
    ein.fill("12-3456789")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    # Leadership demographics, behind consent.
    page.get_by_role("link", name="Leadership demographics").click()
    assert_accessible(page)
    page.get_by_label(re.compile("I have read the statement")).check()
    page.get_by_label("Black or African American").check()
    page.get_by_label("Board members in total").fill("9")
    page.get_by_label("Board members who identify as people of color").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("67% identify as people of color")).to_be_visible()
    page.get_by_role("link", name="Community practices").click()
    assert_accessible(page)

    # Start from the program's page.
    page.goto(base + "/programs/healthy-homes")
    page.get_by_role("button", name=re.compile("Start an application")).click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit$"))
    assert_accessible(page)
    edit_url = page.url
    page.get_by_label("Project title").fill("Healthy homes in Harlem")
    wait_saved(page)

    # Leave, and come back through the dashboard: the draft is as it was left.
    page.goto(base + "/dashboard")
    page.get_by_role("link", name="Healthy homes in Harlem").click()
    page.wait_for_url(edit_url)
    expect(page.get_by_label("Project title")).to_have_value("Healthy homes in Harlem")

    # Submit with errors: all of them at once, each tied to its field.
    page.get_by_label("Amount requested ($)").fill("500,000")
    page.get_by_role("button", name="Submit application").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    for text in ("Enter a project summary.", "Request between $10,000 and $100,000.",
                 "Add at least one budget line.", "Choose at least one outcome you will track.",
                 "Answer “How many staff work on the project?”."):
        expect(summary).to_contain_text(text)
    for field_id in ("summary", "amount_requested", "budget-0-category", "outcomes-0-metric", "community_voice",
                     "q_staff"):
        described = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
        assert f"{field_id}-error" in described, field_id
        assert page.locator(f"#{field_id}-error").inner_text().strip()
        assert page.locator(f"#{field_id}").get_attribute("aria-invalid") == "true"
    expect(page.get_by_label("Amount requested ($)")).to_have_value("500,000")
    assert_accessible(page)

    # Fix them and submit.
    page.get_by_label("Project summary").fill("We repair homes so that children stop having asthma attacks.")
    page.get_by_label("1. Safe, stable housing").check()
    page.get_by_label(re.compile("Central Harlem North")).check()
    page.get_by_label("Amount requested ($)").fill("50,000")
    page.get_by_label("Category, line 1").fill("Repairs")
    page.get_by_label("Amount in dollars, line 1").fill("50000")
    expect(page.locator("#budget-total")).to_have_text("$50,000.00")
    page.get_by_label("Metric, outcome 1").select_option("units")
    page.get_by_label("Target, outcome 1").fill("40 homes repaired")
    page.get_by_label("How the people you serve shape this work").fill("Tenants choose the buildings.")
    page.get_by_label("How many staff work on the project?").fill("4")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Submitted")
    assert_accessible(page)
    with live_server.app.app_context():
        a = db.session.execute(select(Application)).scalar_one()
        assert a.status == SUBMITTED and a.amount_requested_cents == 50_000_00
        assert a.editing_seconds > 0


def test_session_ending_mid_edit_loses_nothing(page, live_server):
    seed(live_server.app, applicant=True)
    base = live_server.url
    log_in(page, base, "dana@eastside.org")
    page.goto(base + "/programs/healthy-homes/apply")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Start an application")).click()
    page.wait_for_url(re.compile(r"/applications/\d+/edit$"))
    page.get_by_label("Project title").fill("Saved before the session ended")
    wait_saved(page)
    # The session ends (cookies gone); the applicant keeps typing.
    page.context.clear_cookies()
    page.get_by_label("Project summary").fill("Typed after the session ended.")
    notice = page.locator("#restore-notice")
    expect(notice).to_contain_text("kept in this browser", timeout=10_000)
    assert_accessible(page)
    notice.get_by_role("link", name="Log in again").click()
    page.wait_for_url(re.compile(r"/login"))
    fill_login(page, "dana@eastside.org")
    page.wait_for_url(re.compile(r"/applications/\d+/edit$"))
    expect(page.locator("#restore-notice")).to_contain_text("We restored changes", timeout=10_000)
    expect(page.get_by_label("Project summary")).to_have_value("Typed after the session ended.")
    expect(page.get_by_label("Project title")).to_have_value("Saved before the session ended")
    assert_accessible(page)
    with live_server.app.app_context():
        a = db.session.execute(select(Application)).scalar_one()
        assert a.summary == "Typed after the session ended."


def _tab_to(page, element_id: str, limit: int = 80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} not reachable with Tab")


def test_application_can_be_completed_with_the_keyboard_alone(page, live_server):
    seed(live_server.app, applicant=True)
    base = live_server.url
    log_in(page, base, "dana@eastside.org")
    page.goto(base + "/programs/healthy-homes/apply")
    # Start with the keyboard too.
    for _ in range(40):
        page.keyboard.press("Tab")
        if "Start an application" in (page.evaluate("document.activeElement.textContent") or ""):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications/\d+/edit$"))
    steps = [
        ("title", "Keyboard-only project"),
        ("summary", "Filled without a mouse."),
        ("needs-0", " "),
        ("amount_requested", "20000"),
        ("budget-0-category", "Staff"),
        ("budget-0-amount", "20000"),
        ("outcomes-0-metric", "Housing units"),
        ("outcomes-0-target", "12 units"),
        ("community_voice", "Residents vote on the plan."),
        ("q_staff", "3"),
    ]
    for element_id, text in steps:
        _tab_to(page, element_id)
        if text == " ":
            page.keyboard.press("Space")
        else:
            page.keyboard.type(text)
    assert page.locator("#outcomes-0-metric").input_value() == "units"
    assert page.locator("#needs-0").is_checked()
    assert page.locator("#places-0").is_checked()  # the profile's place, chosen from the start
    _tab_to(page, "submit-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    expect(page.get_by_text("Your application is submitted.")).to_be_visible()
    with live_server.app.app_context():
        a = db.session.execute(select(Application)).scalar_one()
        assert a.status == SUBMITTED and a.title == "Keyboard-only project"
        assert a.outcomes == [{"metric": "units", "target": "12 units"}]


def test_network_invites_a_member_that_accepts_and_every_page_is_accessible(page, live_server):
    """The coordinator finds an organization of its funder's pool by exact name, invites it; the
    organization's director accepts from the dashboard; the network then applies on its behalf
    (told, without the member's figures, that the member misses a rule)."""
    ids = seed(live_server.app)
    with live_server.app.app_context():
        from grantflow.programs.models import Program

        program = db.session.get(Program, ids["program"])
        program.max_applicant_budget_cents = 1_000_000_00
        net = F.organization("network", name="Harlem CBO Network", slug="harlem-net", ein="13-1111111",
                             tax_exempt=False, service_area=["06037"])
        F.user("net@harlem.org", "Nia Network", org=net, role=R.APPLICANT)
        F.application(program, net, status="draft", title="Our own draft")
        cbo = F.cbo(name="Eastside Tenants Union", slug="eastside", annual_budget_cents=2_345_678_00)
        F.user("dana@eastside.org", "Dana Rivera", org=cbo, role=R.APPLICANT)
        F.application(program, cbo)
        db.session.commit()
    base = live_server.url
    seen = CspViolations(page)
    log_in(page, base, "net@harlem.org")
    page.goto(base + "/organizations/harlem-net/members")
    assert_accessible(page)
    page.get_by_label("Exact name or EIN").fill("Eastside")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No organization of your funders' applicant pools")).to_be_visible()
    page.get_by_label("Exact name or EIN").fill("eastside tenants union")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Invite Eastside Tenants Union").click()
    expect(page.get_by_text("Eastside Tenants Union is invited.")).to_be_visible()
    assert_accessible(page)
    seen.check()

    page.context.clear_cookies()
    log_in(page, base, "dana@eastside.org")
    page.get_by_role("link", name="Answer the invitation of Harlem CBO Network").click()
    page.wait_for_url("**/organizations/eastside/networks")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the invitation of Harlem CBO Network").click()
    expect(page.get_by_text("Eastside Tenants Union is now a member of Harlem CBO Network.")).to_be_visible()
    assert_accessible(page)
    seen.check()

    page.context.clear_cookies()
    log_in(page, base, "net@harlem.org")
    # The network itself is not eligible (no tax exemption, outside the region), and the member's
    # budget is above the ceiling: told before starting, without the member's figure.
    page.goto(base + "/programs/healthy-homes/apply")
    expect(page.get_by_text("Tax-exempt status or a fiscal sponsor:").first).to_be_visible()
    expect(page.get_by_role("heading", name="Harlem CBO Network, on behalf of Eastside Tenants Union")).to_be_visible()
    assert "2,345,678" not in page.content()
    assert_accessible(page)
    seen.check()
