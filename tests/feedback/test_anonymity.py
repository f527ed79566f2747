"""Anonymous burden-survey answers cannot be joined back to the applicant: not through the stored
row, the one-answer marker, the audit trail, the log, a flash message, nor any page or export a
program officer can open."""
from __future__ import annotations

import datetime as dt
import logging

from flask import get_flashed_messages
from sqlalchemy import func, inspect, select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db
from grantflow.feedback import burden as B
from grantflow.feedback.models import BurdenSurvey, BurdenSurveyDone
from tests import factories as F
from tests.feedback.builders import close_survey, decide, release

MARKER = "Zebra-crossing suggestion 7731"
HOURS = "37.25"


def _answer_anonymously(world, login, caplog):
    client = login(world.users["applicant"])
    events_before = db.session.execute(select(func.count(AuditEvent.id))).scalar()
    with caplog.at_level(logging.DEBUG):
        r = client.post(f"/applications/{world.application.id}/burden-survey", data={
            "hours_spent": HOURS, "who_helped": ["board"], "clarity": "2", "fairness": "2", "respect": "3",
            "burden": "5", "what_to_change": MARKER, "anonymous": "y"})
    assert r.status_code == 302
    with client.session_transaction() as session:
        flashes = [m for _, m in session.get("_flashes", [])]
    return events_before, flashes


def test_stored_row_has_no_link_and_only_a_coarse_date(world, login, caplog):
    events_before, flashes = _answer_anonymously(world, login, caplog)
    row = db.session.execute(select(BurdenSurvey)).scalar_one()
    assert row.application_id is None
    assert row.program_id == world.program.id
    assert row.submitted_on == dt.date.today().replace(day=1)
    # The table has no column that could hold an organization, a user or a time of day.
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("burden_surveys")}
    fks = {fk["referred_table"] for fk in inspect(db.engine).get_foreign_keys("burden_surveys")}
    assert fks == {"programs", "applications"}  # applications: only for answers given with a name
    assert not any("organization" in name or "user" in name or name.endswith("_at") for name in columns)
    assert not any(type(c["type"]).__name__.lower().startswith(("datetime", "timestamp")) for c in columns.values())
    # The marker that stops a second answer points at no survey row and holds no time.
    done_cols = {c["name"] for c in inspect(db.engine).get_columns("burden_survey_done")}
    assert done_cols == {"application_id"}
    assert inspect(db.engine).get_foreign_keys("burden_survey_done")[0]["referred_table"] == "applications"
    assert db.session.get(BurdenSurveyDone, world.application.id) is not None
    # No audit event, no log line and no flash message carries an identifier.
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar() == events_before
    ids = {str(world.application.id), world.cbo.name, world.cbo.slug, world.users["applicant"].email}
    for text in [r.getMessage() for r in caplog.records] + flashes:
        assert not any(i in text for i in ids if len(i) > 1), text
        assert MARKER not in text


def test_coarse_date_even_mid_month(world):
    B.record_answer(world.application, anonymous=True, hours_spent=3, who_helped=[], clarity=None,
                    fairness=None, respect=None, burden=3, what_to_change="", today=dt.date(2026, 11, 17))
    assert db.session.execute(select(BurdenSurvey.submitted_on)).scalar_one() == dt.date(2026, 11, 1)


def _fill_to_k(world, n: int = 12):
    """Enough other answers that the aggregate (and the marker's free text) is shown."""
    for i in range(n):
        a = F.application(world.program, F.cbo(name=f"Filler Org {i}"))
        B.record_answer(a, anonymous=bool(i % 2), hours_spent=10 + i, who_helped=["colleagues"], clarity=3,
                        fairness=3, respect=4, burden=3, what_to_change=f"filler {i}")


def _text_of(response) -> str:
    """A page's HTML, or a PDF's text (the blank form, the copy of what was sent)."""
    if response.mimetype == "application/pdf":
        import io

        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def _urls_for_officer(app, world):
    """Every GET route of the app with arguments we can fill from the world: (endpoint, url)."""
    from flask import url_for

    values = {"app_id": [world.application.id, world.other_application.id]}
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            args = set(rule.arguments)
            kwargs = {}
            if "slug" in args:
                if rule.rule.startswith("/funders/"):
                    kwargs["slug"] = world.funder.slug
                elif rule.rule.startswith("/organizations/"):
                    kwargs["slug"] = world.cbo.slug
            if "program" in args:
                kwargs["program"] = world.program.slug
            if args - set(kwargs) - set(values):
                continue
            if "app_id" in args:
                for app_id in values["app_id"]:
                    out.append((rule.endpoint, url_for(rule.endpoint, **kwargs, app_id=app_id)))
            else:
                out.append((rule.endpoint, url_for(rule.endpoint, **kwargs)))
    return out


def test_no_page_an_officer_can_open_joins_an_anonymous_answer(app, world, login, caplog):
    _answer_anonymously(world, login, caplog)
    _fill_to_k(world)
    close_survey(world.program)
    decide(world.application, "decline")
    release(world.program)
    db.session.commit()
    identifiers = [world.cbo.name, world.cbo.slug, world.users["applicant"].name, world.users["applicant"].email]
    seen_marker_on = []
    checked = set()
    for officer in ("program_officer", "funder_admin"):
        client = login(world.users[officer])
        for endpoint, url in _urls_for_officer(app, world):
            try:
                response = client.get(url)
            except Exception:  # another area's page still under construction is not this test's subject
                assert not endpoint.startswith("feedback."), f"{url} raised"
                db.session.rollback()
                continue
            if endpoint.startswith("feedback.") and response.status_code == 200:
                checked.add(endpoint)
            html = _text_of(response)
            # A per-response value never appears: the exact hours of the anonymous answer.
            assert HOURS not in html, url
            if MARKER in html:
                seen_marker_on.append(url)
                # Free text is shown only in aggregate: never next to who wrote it.
                for ident in identifiers:
                    assert ident not in html, (url, ident)
            db.session.rollback()
    # The aggregate view does show the marker (so the check above is not vacuous) and only there.
    assert seen_marker_on and all(u.endswith("/feedback/burden") for u in seen_marker_on), seen_marker_on
    officer_get_routes = {"feedback.manage", "feedback.settings", "feedback.burden", "feedback.funder_burden",
                          "feedback.community_ranking", "feedback.reports", "feedback.you_said",
                          "feedback.you_said_edit", "feedback.applicant", "feedback.note"}
    assert officer_get_routes <= checked


def test_aggregate_view_hides_small_programs(world, login):
    B.record_answer(world.application, anonymous=True, hours_spent=37.25, who_helped=[], clarity=1, fairness=1,
                    respect=1, burden=5, what_to_change=MARKER)
    close_survey(world.program)
    db.session.commit()
    html = login(world.users["program_officer"]).get("/programs/health-2026/feedback/burden").get_data(as_text=True)
    assert "results are withheld" in html
    assert MARKER not in html and HOURS not in html
