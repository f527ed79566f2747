"""Drafts save whatever was typed; submission checks everything at once, once, before the close."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from grantflow.applications import services
from grantflow.applications.models import DRAFT, SUBMITTED, WITHDRAWN, Application, StatusChange
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from tests.applications.conftest import build_scene, complete_form


def _token(client, app_id):
    with client.session_transaction() as sess:
        return sess["submit_tokens"][str(app_id)]


def _get(client, app_id):
    r = client.get(f"/applications/{app_id}/edit")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_start_creates_draft_with_history_and_audit(scene, draft):
    a = db.session.get(Application, draft.id)
    assert a.status == DRAFT and a.organization_id == scene.cbo.id and a.created_by_id == scene.user.id
    assert [(c.from_status, c.to_status) for c in a.history] == [(None, DRAFT)]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "application.draft")).scalar_one()
    # Starting again resumes the same draft instead of making a second one.
    r = draft.client.post("/programs/health-2026/apply")
    assert r.headers["Location"].endswith(f"/applications/{draft.id}/edit")
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == 1


def test_draft_keeps_exactly_what_was_typed_even_invalid(scene, draft):
    typed = complete_form(scene, title="x" * 250, amount_requested="12,5x dollars", q_staff="many",
                          **{"budget-1-amount": "lots", "outcomes-0-target": ""})
    r = draft.client.post(f"/applications/{draft.id}/edit", data={**typed, "action": "save"})
    assert r.status_code == 200  # saved, with the format problems shown
    html = r.get_data(as_text=True)
    assert "Draft saved" in html and "Use at most 200 characters." in html
    assert "Enter an amount in dollars" in html and "Enter a number, like 12 or 12.5." in html
    a = db.session.get(Application, draft.id)
    db.session.refresh(a)
    assert a.title == ""  # too long for the column: kept only as typed
    assert a.summary == "Repairs that keep asthma away."
    assert [n.id for n in a.needs] == [scene.housing.id]
    assert [b.category for b in a.budget_lines] == ["Staff"]
    # Resume: everything comes back exactly as typed, on a fresh page.
    html = _get(draft.client, draft.id)
    assert "x" * 250 in html and "12,5x dollars" in html and 'value="many"' in html and 'value="lots"' in html
    assert "Use at most 200 characters." not in html  # no errors shown on a plain visit


def test_submit_shows_every_missing_field_at_once(scene, draft):
    _get(draft.client, draft.id)
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data={"action": "submit", "submit_token": _token(draft.client, draft.id),
                                "budget-0-category": "", "outcomes-0-metric": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for message in ("Enter a project title.", "Enter a project summary.",
                    "Choose at least one community health need", "Choose at least one place",
                    "Enter the amount you request.", "Add at least one budget line.",
                    "Choose at least one outcome you will track.", "Tell us how the people you serve",
                    "Answer “How many staff work on it?”."):
        assert message in html, message
    # Each message sits next to its field and is announced with it.
    assert 'id="title-error"' in html and re.search(r'aria-describedby="[^"]*\btitle-error"', html)
    assert 'aria-describedby="budget-0-category-error"' in html
    assert 'href="#title"' in html  # the summary links to the field
    assert db.session.get(Application, draft.id).status == DRAFT


def test_amount_outside_range_and_budget_mismatch(scene, draft):
    _get(draft.client, draft.id)
    data = complete_form(scene, amount_requested="500,000", action="submit",
                         submit_token=_token(draft.client, draft.id))
    html = draft.client.post(f"/applications/{draft.id}/edit", data=data).get_data(as_text=True)
    assert "Request between $10,000 and $100,000." in html
    _get(draft.client, draft.id)
    data = complete_form(scene, amount_requested="60,000", action="submit",
                         submit_token=_token(draft.client, draft.id))
    html = draft.client.post(f"/applications/{draft.id}/edit", data=data).get_data(as_text=True)
    assert "Your budget lines add up to $50,000.00, but you request $60,000.00." in html


def test_submit_once_with_snapshot_history_audit_and_email(scene, draft, app):
    _get(draft.client, draft.id)
    token = _token(draft.client, draft.id)
    data = complete_form(scene, action="submit", submit_token=token)
    r = draft.client.post(f"/applications/{draft.id}/edit", data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/applications/{draft.id}")
    # The double click: the same form again.
    r2 = draft.client.post(f"/applications/{draft.id}/edit", data=data)
    assert r2.status_code == 302 and r2.headers["Location"].endswith(f"/applications/{draft.id}")
    a = db.session.get(Application, draft.id)
    db.session.refresh(a)
    assert a.status == SUBMITTED and a.submitted_at is not None
    assert a.rubric_id == scene.program.current_rubric.id
    assert a.amount_requested_cents == 50_000_00 and sum(b.amount_cents for b in a.budget_lines) == 50_000_00
    assert a.outcomes == [{"metric": "units", "target": "40 homes repaired"}]
    assert {ans.value for ans in a.answers} == {"4", "Short story."}
    assert a.draft_form is None
    submitted = [c for c in a.history if c.to_status == SUBMITTED]
    assert len(submitted) == 1 and submitted[0].actor_id == scene.user.id
    mails = [m for m in outbox() if m["To"] == "dana@eastside.org"]
    assert len(mails) == 1 and "Healthy homes" in mails[0]["Subject"]
    assert db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "application.submitted")).scalar_one() == 1
    status = draft.client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "Timeline" in status and "Submitted" in status


def test_concurrent_double_submit_is_one_submission_on_postgres(pg_app):
    """Two requests at the same moment (a double click) on the real database: one submission."""
    s = build_scene()
    a = services.start(s.program, s.cbo, s.user)
    db.session.commit()
    clients = [pg_app.test_client(user=s.user) for _ in range(2)]
    tokens = []
    for c in clients:
        c.get(f"/applications/{a.id}/edit")
        tokens.append(_token(c, a.id))
    barrier = threading.Barrier(2)
    codes = []

    def go(c, tok):
        with pg_app.app_context():
            barrier.wait()
            codes.append(c.post(f"/applications/{a.id}/edit",
                                data=complete_form(s, action="submit", submit_token=tok)).status_code)

    threads = [threading.Thread(target=go, args=(c, t)) for c, t in zip(clients, tokens)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert codes == [302, 302]
    db.session.expire_all()
    n = db.session.execute(select(func.count(StatusChange.id)).where(
        StatusChange.application_id == a.id, StatusChange.to_status == SUBMITTED)).scalar_one()
    assert n == 1
    assert len([m for m in outbox() if "Application received" in m["Subject"]]) == 1


def test_deadline_by_server_clock_in_program_zone(scene, draft, monkeypatch):
    closes = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.timezone.utc)  # 5:00 PM in New York
    scene.program.closes_at = closes
    scene.program.opens_at = closes - dt.timedelta(days=30)
    db.session.commit()
    monkeypatch.setattr(services, "utcnow", lambda: closes + dt.timedelta(seconds=1))
    _get(draft.client, draft.id)
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data=complete_form(scene, action="submit", submit_token=_token(draft.client, draft.id)))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "The deadline for Community Health 2026 was December 1, 2026 at 5:00 PM EST (America/New_York)" in html
    assert db.session.get(Application, draft.id).status == DRAFT
    # One second before the close, by the same clock, it goes through.
    monkeypatch.setattr(services, "utcnow", lambda: closes - dt.timedelta(seconds=1))
    _get(draft.client, draft.id)
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data=complete_form(scene, action="submit", submit_token=_token(draft.client, draft.id)))
    assert r.status_code == 302
    a = db.session.get(Application, draft.id)
    db.session.refresh(a)
    assert a.status == SUBMITTED and a.submitted_at == closes - dt.timedelta(seconds=1)


def test_start_refused_when_program_closed_or_not_open(scene, login):
    scene.program.closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    client = login(scene.user)
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 422 and "Applications can no longer be submitted" in r.get_data(as_text=True)
    scene.program.closes_at = utcnow() + dt.timedelta(days=3)
    scene.program.opens_at = utcnow() + dt.timedelta(days=1)
    db.session.commit()
    r = client.post("/programs/health-2026/apply")
    assert r.status_code == 422 and "opens for applications on" in r.get_data(as_text=True)
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == 0


def test_withdraw_before_close_only(scene, draft, monkeypatch):
    _get(draft.client, draft.id)
    draft.client.post(f"/applications/{draft.id}/edit",
                      data=complete_form(scene, action="submit", submit_token=_token(draft.client, draft.id)))
    closes = scene.program.closes_at
    monkeypatch.setattr(services, "utcnow", lambda: closes + dt.timedelta(seconds=5))
    r = draft.client.post(f"/applications/{draft.id}/withdraw", data={"confirm": "yes"}, follow_redirects=True)
    assert "can no longer be withdrawn" in r.get_data(as_text=True)
    assert db.session.get(Application, draft.id).status == SUBMITTED
    monkeypatch.setattr(services, "utcnow", lambda: closes - dt.timedelta(seconds=5))
    r = draft.client.post(f"/applications/{draft.id}/withdraw", data={"confirm": "yes"}, follow_redirects=True)
    assert "Your application is withdrawn." in r.get_data(as_text=True)
    a = db.session.get(Application, draft.id)
    db.session.refresh(a)
    assert a.status == WITHDRAWN
    assert [c.to_status for c in a.history] == [DRAFT, SUBMITTED, WITHDRAWN]


def test_autosave_json_and_editing_time(scene, draft, monkeypatch):
    t0 = utcnow()
    clock = [t0]
    monkeypatch.setattr(services, "utcnow", lambda: clock[0])
    for title, at in (("A", t0), ("AB", t0 + dt.timedelta(seconds=40)), ("ABC", t0 + dt.timedelta(minutes=20)),
                      ("ABCD", t0 + dt.timedelta(minutes=21))):
        clock[0] = at
        r = draft.client.post(f"/applications/{draft.id}/autosave", data={"title": title, "client_rev": "r" + title},
                              headers={"Accept": "application/json"})
        assert r.status_code == 200 and r.json["saved"] is True and r.json["rev"] == "r" + title
    a = db.session.get(Application, draft.id)
    db.session.refresh(a)
    assert a.title == "ABCD"
    # 40 s counted, the 19-minute break not, then 60 s: 100 s of editing.
    assert a.editing_seconds == 100
    assert a.draft_form["_rev"] == ["rABCD"]


def test_autosave_without_session_is_a_json_401(scene, draft, app):
    anon = app.test_client()
    r = anon.post(f"/applications/{draft.id}/autosave", data={"title": "lost?"},
                  headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.json["saved"] is False
    assert r.json["login"].endswith(f"/login?next=/applications/{draft.id}/edit")


def test_autosave_after_submission_is_refused(scene, draft):
    _get(draft.client, draft.id)
    draft.client.post(f"/applications/{draft.id}/edit",
                      data=complete_form(scene, action="submit", submit_token=_token(draft.client, draft.id)))
    r = draft.client.post(f"/applications/{draft.id}/autosave", data={"title": "changed later"})
    assert r.status_code == 409
    assert db.session.get(Application, draft.id).title == "Healthy homes"


def test_add_and_remove_rows_keep_typed_values(scene, draft):
    """Without JavaScript a row button is a round trip that comes back at the row, with focus on
    it: a redirect to the row's anchor, whose first field has autofocus."""
    def post(**overrides):
        r = draft.client.post(f"/applications/{draft.id}/edit", data=complete_form(scene, **overrides))
        assert r.status_code == 303
        location = r.headers["Location"]
        return location, draft.client.get(location).get_data(as_text=True)

    location, html = post(action="add_line")
    assert location.endswith("?focus=budget-2-category#budget-2-category")
    assert 'name="budget-2-category"' in html and "Two organizers" in html
    assert re.search(r'<input autofocus id="budget-2-category"', html)
    assert html.count("autofocus") == 1
    location, html = post(action="remove_line:0")
    assert location.endswith("#budget-0-category")  # the row that took the removed one's place
    assert 'name="budget-1-category"' not in html and 'value="Repairs"' in html and "Two organizers" not in html
    html = _get(draft.client, draft.id)  # and it is what the draft resumes with
    assert 'value="Repairs"' in html and "Two organizers" not in html and "autofocus" not in html
    location, html = post(action="add_outcome")
    assert location.endswith("#outcomes-1-metric") and 'name="outcomes-1-metric"' in html
    location, html = post(action="remove_outcome:1", **{"outcomes-1-metric": "units", "outcomes-1-target": "x"})
    assert location.endswith("#outcomes-0-metric")
    # A forged focus target is ignored, never echoed.
    html = draft.client.get(f"/applications/{draft.id}/edit?focus=%22%3E%3Cscript%3E").get_data(as_text=True)
    assert "autofocus" not in html and "<script>" not in html.split("</h1>")[1].split("<script src")[0]


def test_stale_submit_token_is_refused(scene, draft):
    _get(draft.client, draft.id)
    r = draft.client.post(f"/applications/{draft.id}/edit",
                          data=complete_form(scene, action="submit", submit_token="forged"))
    assert r.status_code == 409 and "out of date" in r.get_data(as_text=True)
    assert db.session.get(Application, draft.id).status == DRAFT


def test_foreign_application_is_404_everywhere(scene, draft, login):
    other = login(scene.other_user)
    for method, url in (("GET", f"/applications/{draft.id}/edit"), ("POST", f"/applications/{draft.id}/edit"),
                        ("GET", f"/applications/{draft.id}"), ("POST", f"/applications/{draft.id}/autosave"),
                        ("POST", f"/applications/{draft.id}/withdraw"), ("GET", "/applications/99999/edit")):
        assert other.open(url, method=method, data={"title": "mine now"}).status_code == 404
    assert db.session.get(Application, draft.id).title == ""


FIELDS = ("title", "summary", "community_voice", "budget-0-category", "budget-0-description",
          "outcomes-0-target", "q_story")


@pytest.mark.parametrize("payload", ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>"])
def test_html_in_every_text_field_is_escaped(scene, draft, payload):
    data = complete_form(scene, **{f: payload for f in FIELDS}, action="submit",
                         submit_token="x")
    draft.client.post(f"/applications/{draft.id}/edit", data={**data, "action": "save"})
    html = _get(draft.client, draft.id)
    assert payload not in html
    assert html.count("&lt;") >= len(FIELDS)
    _get(draft.client, draft.id)
    draft.client.post(f"/applications/{draft.id}/edit", data={**data, "submit_token": _token(draft.client, draft.id)})
    status = draft.client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert payload not in status and "&lt;" in status


def test_over_long_text_is_refused_at_the_field(scene, draft):
    _get(draft.client, draft.id)
    data = complete_form(scene, summary="w " * 3000, community_voice="v" * 10001, q_story="word " * 51,
                         action="submit", submit_token=_token(draft.client, draft.id))
    html = draft.client.post(f"/applications/{draft.id}/edit", data=data).get_data(as_text=True)
    assert "Use at most 5,000 characters." in html and "Use at most 10,000 characters." in html
    assert "Use at most 50 words (you used 51)." in html
    assert db.session.get(Application, draft.id).status == DRAFT


def test_malformed_date_answer_is_told_at_its_field_and_kept(app, login):
    from grantflow.programs.models import CustomQuestion

    s = build_scene(questions=False)
    db.session.add(CustomQuestion(program=s.program, position=0, key="start", label="When does the work start?",
                                  kind="date", required=True))
    db.session.commit()
    client = login(s.user)
    app_id = int(client.post("/programs/health-2026/apply").headers["Location"].split("/")[-2])
    for bad in ("2026-02-30", "next spring", "31/12/2026"):
        client.get(f"/applications/{app_id}/edit")
        r = client.post(f"/applications/{app_id}/edit",
                        data=complete_form(s, q_start=bad, action="submit", submit_token=_token(client, app_id)))
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and "Enter a real date, like 2026-03-31." in html
        assert 'id="q_start-error"' in html and f'value="{bad}"' in html
    client.get(f"/applications/{app_id}/edit")
    r = client.post(f"/applications/{app_id}/edit",
                    data=complete_form(s, q_start="2026-09-01", action="submit", submit_token=_token(client, app_id)))
    assert r.status_code == 302
    a = db.session.get(Application, app_id)
    assert [ans.value for ans in a.answers] == ["2026-09-01"]


def test_invalid_draft_saves_and_resumes_on_postgres(pg_app):
    """PostgreSQL enforces column lengths: what does not fit stays only in the typed copy."""
    s = build_scene()
    a = services.start(s.program, s.cbo, s.user)
    db.session.commit()
    client = pg_app.test_client(user=s.user)
    typed = complete_form(s, title="t" * 300, q_staff="x" * 400, **{
        "budget-0-category": "c" * 120, "outcomes-0-target": "y" * 400, "amount_requested": "9" * 30})
    r = client.post(f"/applications/{a.id}/edit", data={**typed, "action": "save"})
    assert r.status_code == 200
    html = client.get(f"/applications/{a.id}/edit").get_data(as_text=True)
    assert "t" * 300 in html and "c" * 120 in html and "9" * 30 in html
    db.session.expire_all()
    stored = db.session.get(Application, a.id)
    assert stored.title == "" and stored.summary == "Repairs that keep asthma away."
    assert [b.category for b in stored.budget_lines] == ["Repairs"]


def test_a_post_with_no_fields_is_saved_as_an_empty_form(scene, draft):
    """A POST with no fields at all, which no browser sends (found by the route fuzz: the outcome's
    metric select had no typed text to keep, and saving it raised AttributeError). It is taken as
    an empty form, as the autosave takes one."""
    typed = complete_form(scene, title="Kept title")
    assert draft.client.post(f"/applications/{draft.id}/edit", data={**typed, "action": "save"}).status_code < 400
    assert draft.client.post(f"/applications/{draft.id}/edit").status_code < 400
    db.session.expire_all()
    a = db.session.get(Application, draft.id)
    assert a.status == DRAFT and a.draft_form["outcomes-0-metric"] == []
    assert "Kept title" not in _get(draft.client, draft.id)
