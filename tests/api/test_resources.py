"""Reviews, scores, decisions, letters and the audit through the API, under the pages' rules."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from grantflow.core import roles as R
from grantflow.core.db import db, utcnow
from grantflow.decisions.models import Decision
from grantflow.reviews.models import Review, ReviewAssignment
from grantflow.scoring import engine
from tests import factories as F
from tests.api.conftest import make_token


def test_a_reviewer_lists_only_their_own_reviews(app, scene, api):
    application = F.application(scene.program, scene.cbo)
    other_reviewer = F.user("rev2@riverside.org", org=scene.funder, role=R.REVIEWER)
    for reviewer, comment in ((scene.reviewer, "Mine"), (other_reviewer, "Theirs")):
        assignment = ReviewAssignment(application=application, reviewer=reviewer)
        db.session.add(Review(assignment=assignment, application_id=application.id, reviewer_id=reviewer.id,
                              rubric_id=scene.program.current_rubric.id, status="draft", comment_to_applicant=comment))
    db.session.commit()
    items = api(make_token(scene.reviewer, "read")).get("/api/v1/reviews").get_json()["items"]
    assert [r["comment_to_applicant"] for r in items] == ["Mine"]
    assert api(make_token(scene.user, "read")).get("/api/v1/reviews").get_json()["items"] == []


def test_staff_see_the_score_rule_by_rule_and_the_applicant_only_after_release(app, scene, api):
    application = F.application(scene.program, scene.cbo)
    db.session.commit()
    engine.rescore(scene.program.id)
    db.session.commit()
    score = api(make_token(scene.officer, "read")).get(f"/api/v1/applications/{application.id}/score")
    assert score.status_code == 200, score.get_json()
    data = score.get_json()
    from grantflow.scoring.standing import standing_of

    expected = standing_of(application)
    assert (data["standing"], data["total"]) == (expected.standing, expected.total)
    assert len(data["rules"]) == len(expected.score.rules) > 0
    assert all(r["explanation"] for r in data["rules"] if r["status"] == "ok")
    applicant = api(make_token(scene.user, "read"))
    assert applicant.get(f"/api/v1/applications/{application.id}/score").status_code == 404
    db.session.add(Decision(application_id=application.id, program_id=scene.program.id, outcome="award",
                            amount_cents=40_000_00, released_at=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    assert applicant.get(f"/api/v1/applications/{application.id}/score").status_code == 200


def test_decisions_for_staff_and_for_the_applicant_once_released(app, scene, api):
    application = F.application(scene.program, scene.cbo)
    db.session.add(Decision(application_id=application.id, program_id=scene.program.id, outcome="award",
                            amount_cents=40_000_00, rationale="Strong community voice."))
    db.session.commit()
    staff = api(make_token(scene.officer, "read"))
    listed = staff.get("/api/v1/programs/health-2026/decisions").get_json()["items"]
    assert [(d["application_id"], d["amount_cents"], d["released"]) for d in listed] == [(application.id, 40_000_00, False)]
    applicant = api(make_token(scene.user, "read"))
    assert applicant.get(f"/api/v1/applications/{application.id}/decision").status_code == 404
    assert applicant.get("/api/v1/programs/health-2026/decisions").status_code == 404
    db.session.expire_all()
    db.session.get(Decision, listed[0]["id"]).released_at = utcnow() - dt.timedelta(minutes=1)  # past its hold
    db.session.commit()
    assert applicant.get(f"/api/v1/applications/{application.id}/decision").get_json()["outcome"] == "award"
    assert api(make_token(scene.reviewer, "read")).get(f"/api/v1/applications/{application.id}/decision").status_code == 404


def test_letters_metadata_and_the_pdf_for_staff_only(app, scene, api):
    from grantflow.letters import services

    application = F.application(scene.program, scene.cbo)
    decision = Decision(application_id=application.id, program_id=scene.program.id, outcome="award", amount_cents=40_000_00)
    db.session.add(decision)
    db.session.commit()
    letter, _ = services.issue(decision)
    db.session.commit()
    staff = api(make_token(scene.officer, "read"))
    (meta,) = staff.get("/api/v1/programs/health-2026/letters").get_json()["items"]
    assert (meta["id"], meta["kind"]) == (letter.id, "award")
    pdf = staff.get(meta["download"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert hashlib.sha256(pdf.data).hexdigest() == meta["sha256"]
    assert api(make_token(scene.user, "read")).get(meta["download"]).status_code == 404


def test_the_audit_is_the_json_export_with_the_same_suppression(app, scene, api):
    from tests.equity.builders import Spec, build_program

    program = build_program(scene.funder, [Spec(poc=i % 3 == 0, awarded=i % 2 == 0) for i in range(24)],
                            slug="audited", status="closed")[0]
    db.session.commit()
    export = app.test_client(user=scene.officer).get(f"/programs/{program.slug}/audit.json")
    through_api = api(make_token(scene.officer, "read")).get(f"/api/v1/programs/{program.slug}/audit")
    assert through_api.status_code == 200 and through_api.mimetype == "application/json"
    ours, theirs = through_api.get_json(), export.get_json()
    assert ours.pop("generated_at") and theirs.pop("generated_at")
    assert ours == theirs
    assert '"suppressed": true' in through_api.get_data(as_text=True)
    assert api(make_token(scene.reviewer, "read")).get(f"/api/v1/programs/{program.slug}/audit").status_code == 404


def test_programs_show_staff_fields_to_staff_only(app, scene, api):
    public = api(make_token(scene.user, "read")).get("/api/v1/programs/health-2026").get_json()
    staff = api(make_token(scene.officer, "read")).get("/api/v1/programs/health-2026").get_json()
    assert public["staff"] is None and public["title"] == staff["title"]
    assert staff["staff"]["budget_cents"] == scene.program.budget_cents
    scene.program.status = "draft"
    db.session.commit()
    assert api(make_token(scene.user, "read")).get("/api/v1/programs/health-2026").status_code == 404
    assert [p["slug"] for p in api(make_token(scene.user, "read")).get("/api/v1/programs").get_json()["items"]] == []


def test_the_openapi_document_and_its_docs_page(app, scene):
    client = app.test_client(use_cookies=False)
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    # Every operation of the API's blueprints, by path and method (`<int:app_id>` is `{app_id}`).
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule), method.lower())
              for r in app.url_map.iter_rules() if r.endpoint.startswith("api_")
              for method in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in doc["paths"].items() for method in operations
                  if method in ("get", "post", "put", "patch", "delete")}
    assert routes == documented and len(routes) >= 16
    assert {("/api/v1/awards", "get"), ("/api/v1/instalments/{instalment_id}/payment", "post")} <= documented
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    # Rendered on the server: no inline script and nothing from another origin (no CDN).
    scripts = re.findall(r"<script[^>]*>", html)
    assert page.status_code == 200 and "GET /api/v1/programs" in html
    assert all(re.fullmatch(r'<script src="/static/[\w./-]+"( defer)?>', tag) for tag in scripts), scripts
    assert "cdn" not in html.lower()


def test_a_score_s_explanations_are_in_the_request_s_language(app, scene, api):
    application = F.application(scene.program, scene.cbo)
    db.session.commit()
    client = api(make_token(scene.officer, "read"))
    url = f"/api/v1/applications/{application.id}/score"
    english = {r["rule"]: r["explanation"] for r in client.get(url, headers={"Accept-Language": "en"}).get_json()["rules"]}
    spanish = {r["rule"]: r["explanation"] for r in client.get(url, headers={"Accept-Language": "es"}).get_json()["rules"]}
    assert english["rubric"].startswith("Not yet reviewed") and spanish["rubric"].startswith("Aún sin evaluar")
    assert "annual budget" in english["first_time_small"] and "presupuesto anual" in spanish["first_time_small"]
