"""Reflow (WCAG 2.1 SC 1.4.10): every applicant page, and the reviewer's, fits 320 CSS px without
sideways scrolling, both on a 320 px phone and on a 1280 px screen zoomed to 400% (the same 320
CSS px, drawn at 4 device pixels each), and stays clean for axe-core at that width."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from grantflow.accounts.services import create_invitation
from grantflow.chna import crosswalk
from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.applications.models import Attachment
from grantflow.programs.models import CustomQuestion
from grantflow.reviews.models import CriterionScore, Review
from tests import factories as F
from tests.browser.conftest import assert_accessible
from tests.conftest import build_world, make_app
from tests.feedback.builders import decide, release, review

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("reflow")]  # one module-wide server

VIEWPORTS = {
    "phone-320": dict(viewport={"width": 320, "height": 640}, device_scale_factor=1),
    "1280-at-400pct": dict(viewport={"width": 320, "height": 256}, device_scale_factor=4),
    # Spanish words are longer: the program page was 430 px wide on a 390 px phone.
    "phone-320-spanish": dict(viewport={"width": 320, "height": 640}, device_scale_factor=1, locale="es-MX"),
}

# (who, path): path is formatted with the seeded ids.
PAGES = [
    (None, "/"),
    (None, "/opportunities"),
    (None, "/login"),
    (None, "/register"),
    (None, "/reset"),
    (None, "/programs/health-2026"),
    ("applicant", "/dashboard"),
    ("applicant", "/account"),
    ("applicant", "/organizations/eastside/profile"),
    ("applicant", "/organizations/eastside/profile?places_q=10027"),
    ("applicant", "/organizations/eastside/profile?places_q=1002"),
    ("applicant", "/organizations/eastside/demographics"),
    ("applicant", "/organizations/eastside/practices"),
    ("applicant", "/organizations/eastside/networks"),
    ("applicant", "/organizations/eastside/team"),
    (None, "/invitations/{invitation}"),
    ("editor", "/dashboard"),
    ("editor", "/applications/{draft}/edit"),
    ("viewer", "/applications/{submitted}"),
    ("applicant", "/programs/health-2026"),
    ("applicant", "/programs/health-2026/apply"),
    ("applicant", "/applications/{draft}/edit"),
    ("applicant", "/applications/{draft}/edit?places_q=Morningside+Heights"),
    ("applicant", "/applications/{submitted}"),
    ("applicant", "/applications/{submitted}/withdraw"),
    ("other_applicant", "/applications/{declined}"),
    ("other_applicant", "/applications/{declined}/feedback"),
    ("other_applicant", "/applications/{declined}/burden-survey"),
    ("reviewer", "/dashboard"),
    ("reviewer", "/reviews/{submitted}"),
]


@pytest.fixture(scope="module")
def reflow_server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("reflow"), WTF_CSRF_ENABLED=True, SERVER_NAME=None)
    with app.app_context():
        db.create_all()
        w = build_world(team=True)
        F.need(w.funder, "Safe, stable housing with a long name that must wrap on a phone", 1)
        F.place(w.funder, "36061000100", name="Central Harlem North", is_priority=True)
        F.place(w.funder, "36061021900", name="Census Tract 219; New York County; New York", need_index=0.91)
        crosswalk.import_bytes(w.funder.id, b"ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,NEIGHBORHOOD\n"
                                            b"10027,36061000100,NEW YORK,NY,0.6,Central Harlem\n"
                                            b"10027,36061021900,NEW YORK,NY,0.4,Morningside Heights\n")
        db.session.add(CustomQuestion(program=w.program, key="staff", label="How many staff work on the project?",
                                      kind="number", required=True, min_value=1, max_value=500))
        draft = F.application(w.program, w.cbo, status="draft", title="A draft with a budget",
                              outcomes=[{"metric": "units", "target": "40 homes"}])
        draft.last_edited_by_id, draft.last_edit_at = w.users["editor"].id, utcnow()
        # A file with a name of 250 characters and no space (its "Remove" button widened the page).
        db.session.add(Attachment(application=draft, original_name="budget-" + "a" * 243 + ".pdf",
                                  stored_name="reflow-long-name", mime_type="application/pdf", size=1024,
                                  sha256="0" * 64))
        _inv, invitation = create_invitation(w.cbo, "a.colleague.with.a.long.address@eastside-tenants-union.org",
                                             R.APPLICANT, w.users["applicant"], team_role=R.TEAM_VIEWER)
        review(w.other_application, w.users["other_reviewer"], [3, 4, 4], to_applicant="Clear, concrete plan.")
        # The reviewer's own submitted review, and a colleague's they may see: the scores table has
        # a column per criterion (it widened the page on a phone).
        w.program.reviewers_see_others = True
        for criterion, label in zip(w.program.current_rubric.criteria, (
                "Community need and the evidence for it", "Community leadership and voice in decisions",
                "Feasibility of the budget and the workplan")):
            criterion.label = label
        w.assignment.no_conflict_confirmed_at = utcnow()
        own = review(w.application, w.users["other_reviewer"], [4, 4, 5], to_applicant="Strong partnerships.")
        mine = Review(assignment_id=w.assignment.id, application_id=w.application.id, reviewer_id=w.users["reviewer"].id,
                      rubric_id=own.rubric_id, status="submitted", submitted_at=utcnow(),
                      scores=[CriterionScore(criterion_id=s.criterion_id, score=3) for s in own.scores])
        db.session.add(mine)
        decide(w.other_application, "decline")
        release(w.program)
        db.session.commit()
        ids = {"draft": draft.id, "invitation": invitation, "submitted": w.application.id, "declined": w.other_application.id,
               "emails": {k: u.email for k, u in w.users.items()}}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("who,path", PAGES, ids=[f"{w or 'anon'}:{p}" for w, p in PAGES])
def test_page_reflows_at_320_css_px(browser, reflow_server, viewport, who, path):
    _app, base, ids = reflow_server
    context = browser.new_context(**VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if who:
            page.goto(base + "/login")
            # By the fields' names: the labels are in the page's language.
            page.locator("input[name=email]").fill(ids["emails"][who])
            page.locator("input[name=password]").fill(F.PASSWORD)
            page.locator("input[name=password]").press("Enter")
            page.wait_for_url("**/dashboard")
        response = page.goto(base + path.format(**ids))
        assert response.status == 200, (path, response.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > 321)
            .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
        assert width <= 320, f"{path} is {width} px wide at 320 CSS px; widest: {wide}"
        assert_accessible(page)
    finally:
        context.close()
