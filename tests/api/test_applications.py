"""Applications through the API: the same services and checks as the form, errors by field."""
from __future__ import annotations

from sqlalchemy import select

from grantflow.applications.models import DRAFT, SUBMITTED, Application
from grantflow.core.db import db
from grantflow.core.errors import PROBLEM_JSON
from grantflow.core.mail import outbox
from grantflow.organizations.models import ACCEPTED, INVITED
from grantflow.core import roles as R
from grantflow.blind import declarations
from tests import factories as F
from tests.api.conftest import make_token


def complete(s) -> dict:
    return {"title": "Healthy homes", "summary": "Repairs that keep asthma away.",
            "need_ids": [s.housing.id], "place_ids": [s.tract.id], "amount_requested_cents": 50_000_00,
            "budget": [{"category": "Staff", "description": "Two organizers", "amount_cents": 30_000_00},
                       {"category": "Repairs", "amount_cents": 20_000_00}],
            "outcomes": [{"metric": "units", "target": "40 homes repaired"}],
            "community_voice": "Tenants choose the buildings.", "answers": {"staff": 4, "story": "Short story."}}


def _stored(app_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app_id)


def test_an_application_submitted_through_the_api_is_on_the_officers_board(any_app, any_scene, api):
    scene = any_scene
    client = api(make_token(scene.user, "write"))
    started = client.post("/api/v1/applications", json={"program": "health-2026", "title": "Healthy homes"})
    assert started.status_code == 201, started.get_json()
    app_id = started.get_json()["application"]["id"]
    assert _stored(app_id).status == DRAFT and _stored(app_id).title == "Healthy homes"
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", json=complete(scene))
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == SUBMITTED
    stored = _stored(app_id)
    assert (stored.status, stored.amount_requested_cents, len(stored.budget_lines)) == (SUBMITTED, 50_000_00, 2)
    assert [m["Subject"] for m in outbox()] == ["Application received: Healthy homes"]
    board = any_app.test_client(user=scene.officer).get("/programs/health-2026/board")
    assert board.status_code == 200 and "Healthy homes" in board.get_data(as_text=True)
    again = client.post(f"/api/v1/applications/{app_id}/submit", json={})
    assert again.status_code == 409 and again.mimetype == PROBLEM_JSON


def test_submitting_an_incomplete_draft_names_every_field_and_keeps_what_was_sent(app, scene, api):
    client = api(make_token(scene.user, "write"))
    app_id = client.post("/api/v1/applications", json={"program": "health-2026"}).get_json()["application"]["id"]
    response = client.post(f"/api/v1/applications/{app_id}/submit", json={"title": "Kept title"})
    assert response.status_code == 422 and response.mimetype == PROBLEM_JSON
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert {"summary", "need_ids", "amount_requested_cents", "answers.staff"} <= fields
    assert "title" not in fields and "place_ids" not in fields  # a new draft starts from the profile's places
    assert _stored(app_id).title == "Kept title" and _stored(app_id).status == DRAFT


def test_a_value_the_service_refuses_is_named_and_the_others_saved(app, scene, api):
    client = api(make_token(scene.user, "write"))
    app_id = client.post("/api/v1/applications", json={"program": "health-2026"}).get_json()["application"]["id"]
    response = client.patch(f"/api/v1/applications/{app_id}", json={
        "title": "Saved", "need_ids": [999999], "answers": {"staff": 100000}})
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"need_ids", "answers.staff"}
    assert _stored(app_id).title == "Saved" and _stored(app_id).needs == []


def test_a_malformed_body_is_named_and_nothing_is_saved(app, scene, api):
    client = api(make_token(scene.user, "write"))
    app_id = client.post("/api/v1/applications", json={"program": "health-2026"}).get_json()["application"]["id"]
    response = client.patch(f"/api/v1/applications/{app_id}", json={
        "title": "Not saved", "budget": [{"amount_cents": "lots"}], "colour": "blue"})
    assert response.status_code == 422 and response.mimetype == PROBLEM_JSON
    assert {e["field"] for e in response.get_json()["errors"]} == {"budget.0.amount_cents", "colour"}
    assert _stored(app_id).title == ""
    not_json = client.patch(f"/api/v1/applications/{app_id}", data="{", content_type="application/json")
    assert not_json.status_code in (400, 422) and not_json.mimetype == PROBLEM_JSON


def test_the_list_is_scoped_filtered_and_paged_by_cursor(app, scene, api):
    for i in range(3):
        F.application(scene.program, scene.cbo, title=f"Ours {i}")
    F.application(scene.program, scene.other_cbo, title="Theirs")
    db.session.commit()
    client = api(make_token(scene.user, "read"))
    first = client.get("/api/v1/applications?limit=2").get_json()
    assert [a["title"] for a in first["items"]] == ["Ours 0", "Ours 1"]
    second = client.get(f"/api/v1/applications?limit=2&cursor={first['next_cursor']}").get_json()
    assert [a["title"] for a in second["items"]] == ["Ours 2"] and second["next_cursor"] is None
    assert client.get("/api/v1/applications?status=draft").get_json()["items"] == []
    bad = client.get("/api/v1/applications?cursor=nonsense")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "cursor"
    staff = api(make_token(scene.officer, "read")).get("/api/v1/applications?program=health-2026").get_json()
    assert len(staff["items"]) == 4


def test_another_organizations_application_is_a_404(app, scene, api):
    theirs = F.application(scene.program, scene.other_cbo, status="draft")
    db.session.commit()
    client = api(make_token(scene.user, "write"))
    assert client.get(f"/api/v1/applications/{theirs.id}").status_code == 404
    assert client.patch(f"/api/v1/applications/{theirs.id}", json={"title": "x"}).status_code == 404
    assert client.post(f"/api/v1/applications/{theirs.id}/submit", json={}).status_code == 404
    assert _stored(theirs.id).title != "x"


def test_an_intermediary_applies_for_a_member_only_once_it_accepted(app, scene, api):
    network = F.organization("network", name="Harbor Network", slug="harbor", service_area=["36061000100"],
                             ein="12-0000001", tax_exempt=True, annual_budget_cents=900_000_00)
    staff = F.user("hub@harbor.org", "Hub Staff", org=network, role=R.APPLICANT)
    link = F.network_member(network, scene.other_cbo, status=INVITED)
    db.session.commit()
    client = api(make_token(staff, "write"))
    body = {"program": "health-2026", "organization_id": network.id, "on_behalf_of_id": scene.other_cbo.id}
    refused = client.post("/api/v1/applications", json=body)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "on_behalf_of_id"
    link.status = ACCEPTED
    db.session.commit()
    started = client.post("/api/v1/applications", json=body)
    assert started.status_code == 201, started.get_json()
    stored = _stored(started.get_json()["application"]["id"])
    assert (stored.organization_id, stored.on_behalf_of_id) == (network.id, scene.other_cbo.id)
    assert db.session.execute(select(Application).where(Application.on_behalf_of_id == scene.other_cbo.id)).scalar_one()


def test_a_reviewer_in_blind_review_sees_no_identity(app, scene, api):
    from grantflow.reviews.models import ReviewAssignment

    scene.program.blind_review = True
    application = F.application(scene.program, scene.cbo, summary="Eastside Tenants Union repairs homes.")
    db.session.add(ReviewAssignment(application=application, reviewer=scene.reviewer))
    declarations.declare(scene.program, scene.reviewer, conflict_ids=[], affiliations="")
    db.session.commit()
    data = api(make_token(scene.reviewer, "read")).get(f"/api/v1/applications/{application.id}").get_json()
    assert data["blind"] is True and data["organization"] is None
    assert "Eastside Tenants Union" not in str(data)
    own = api(make_token(scene.user, "read")).get(f"/api/v1/applications/{application.id}").get_json()
    assert own["organization"]["name"] == "Eastside Tenants Union"


def test_a_blind_reviewer_reads_nothing_through_the_api_before_declaring_conflicts(app, scene, api):
    """As on the web, where the review page sends them to the declaration first: an application of
    a blind program is refused, and left out of the list, until the reviewer has declared."""
    from grantflow.reviews.models import ReviewAssignment

    scene.program.blind_review = True
    application = F.application(scene.program, scene.cbo, summary="Repairs homes on the east side.")
    db.session.add(ReviewAssignment(application=application, reviewer=scene.reviewer))
    db.session.commit()
    client = api(make_token(scene.reviewer, "read"))
    got = client.get(f"/api/v1/applications/{application.id}")
    assert got.status_code == 403 and "declare" in got.get_json()["detail"].lower()
    assert "Repairs homes" not in got.get_data(as_text=True)
    listed = client.get(f"/api/v1/applications?program={scene.program.slug}").get_json()
    assert application.id not in [a["id"] for a in listed["items"]]
    assert client.get(f"/api/v1/applications/{application.id}/score").status_code in (403, 404)
    declarations.declare(scene.program, scene.reviewer, conflict_ids=[], affiliations="")
    db.session.commit()
    assert client.get(f"/api/v1/applications/{application.id}").status_code == 200
    listed = client.get(f"/api/v1/applications?program={scene.program.slug}").get_json()
    assert application.id in [a["id"] for a in listed["items"]]
    # The applicant and the funder's staff never owe a declaration.
    assert api(make_token(scene.user, "read")).get(f"/api/v1/applications/{application.id}").status_code == 200


def test_an_id_past_the_database_range_is_not_found_whatever_the_method(app, scene, api):
    """Found by Schemathesis: GET and PATCH are two rules at one path, and werkzeug answered 405
    when the id's converter refused the number after the path matched the PATCH rule."""
    client = api(make_token(scene.user, "write"))
    for number in (str(2**31), "1633443785649624", "9" * 40):
        assert client.patch(f"/api/v1/applications/{number}", json={"title": "x"}).status_code == 404
        assert client.get(f"/api/v1/applications/{number}").status_code == 404
