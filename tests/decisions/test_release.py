"""Releasing decisions as a deliberate act: the pre-flight, the confirmation naming the count, the
refusal while applications are open (unless a reason is recorded), the hold during which a
release can be undone, releasing a subset, scheduling for the release date and cancelling, the
command for releases the queue lost — every message through the outbox."""
from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import func, select

from grantflow.core import outbox as ob
from grantflow.core import roles as R
from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from grantflow.decisions import release as rel
from grantflow.decisions.models import Decision, DecisionVersion, Release
from grantflow.decisions.services import decide
from grantflow.letters.models import IssuedLetter
from grantflow.tasks import get_huey
from tests import factories as F

URL = "/programs/health-2026/release"


@pytest.fixture
def decided(world):
    """The world's two applications decided (an award and a decline), a third undecided and a
    fourth ineligible; applications close in 20 days, reviews in 30, release date in 40."""
    w = world
    officer = w.users["program_officer"]
    w.program.review_ends_at = utcnow() + dt.timedelta(days=30)
    w.program.decisions_release_at = utcnow() + dt.timedelta(days=40)
    decide(w.application, "award", amount_cents=45_000_00, rationale="Strong community voice.", actor=officer,
           reason_without_review="The chair read it.")
    decide(w.other_application, "decline", rationale="Outside this year's focus.", actor=officer)
    third = F.cbo(name="Westside Youth Collective")
    F.user("director@westside.org", org=third, role=R.APPLICANT)
    w.undecided = F.application(w.program, third, title="Youth wellness circles")
    w.ineligible = F.application(w.program, F.cbo(name="Too Big Inc"), title="Regional expansion", status="ineligible")
    db.session.commit()
    return w


def _body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _nothing_released():
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Release)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(Decision)
                              .where(Decision.released_at.is_not(None))).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(ob.OutboxMessage)
                              .where(ob.OutboxMessage.event == "decision.released")).scalar_one() == 0


def test_preflight_shows_what_will_happen_and_does_nothing(decided, login):
    w = decided
    page = _body(login(w.users["program_officer"]).get(URL))
    told = page[page.index('id="told-what"'):page.index("</table>", page.index('id="told-what"'))]
    assert "Awarded</th><td class=\"num\">1</td><td class=\"num\">0</td>" in told
    assert "Declined</th><td class=\"num\">1</td><td class=\"num\">0</td>" in told
    assert "Applications are still open, until" in page and "Reviews are still open, until" in page
    assert "Awarded: 0 of 1 letter issued" in page and "Declined: 0 of 1 letter issued" in page
    assert "1 application undecided" in page and "#%d Youth wellness circles" % w.undecided.id in page
    assert "1 application found ineligible" in page and "Regional expansion" in page
    # A preview of each kind of message, as it will read; the decline gets the link to its page.
    assert "it was awarded $45,000.00" in page
    decline = page[page.index('id="preview-decline"'):]
    assert "it was not funded this time" in decline
    assert f"http://localhost/applications/{w.other_application.id}" in decline[:decline.index("</figure>")]
    assert "Release 2 decisions" in page and 'name="count"' in page
    _nothing_released()


def test_release_needs_the_count_typed_and_a_reason_while_open(decided, login):
    po = login(decided.users["program_officer"])
    r = po.post(URL, data={"outcomes": ["award", "decline"], "when": "now"})
    assert r.status_code == 422 and 'id="count-error"' in _body(r)
    r = po.post(URL, data={"outcomes": ["award", "decline"], "when": "now", "count": "3"})
    # A typo is not blamed on changed decisions (it said "It was 3 when you looked").
    assert r.status_code == 422 and "You typed 3; this release will tell 2 applicants. Type 2 to confirm" in _body(r)
    assert "when you looked" not in _body(r)
    r = po.post(URL, data={"outcomes": ["award", "decline"], "when": "now", "count": "2"})
    body = _body(r)
    assert r.status_code == 422 and 'id="reason-error"' in body
    assert "Applications are still open until" in body and "Give the reason for releasing" in body
    _nothing_released()
    r = po.post(URL, data={"outcomes": ["award", "decline"], "when": "now", "count": "2",
                           "reason": "The board asked us to tell early applicants now."})
    assert r.status_code == 302
    db.session.expire_all()
    done = db.session.execute(select(Release)).scalar_one()
    assert done.reason == "The board asked us to tell early applicants now." and done.told_count == 2
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "decisions.release")).scalar_one()
    assert event.after["reason"] == done.reason and event.actor_id == decided.users["program_officer"].id


def _close(program):
    program.closes_at = utcnow() - dt.timedelta(days=1)
    db.session.commit()


def _officer_releases(w, login, *, when="now", outcomes=("award", "decline"), count=2):
    """Applications closed, the officer confirms a release on the page: (their client, the release)."""
    _close(w.program)
    po = login(w.users["program_officer"])
    r = po.post(URL, data={"outcomes": list(outcomes), "when": when, "count": str(count)})
    assert r.status_code == 302, _body(r)
    db.session.expire_all()
    return po, db.session.execute(select(Release).order_by(Release.id.desc()).limit(1)).scalar_one()


def test_hold_then_undo_sends_nothing_and_a_new_release_sends_once(decided, login):
    w = decided
    po, first = _officer_releases(w, login)
    assert first.hold_until == first.performed_at + dt.timedelta(minutes=10)
    pending = db.session.execute(select(ob.OutboxMessage).where(ob.OutboxMessage.event == "decision.released")).scalars().all()
    assert sorted(m.recipient for m in pending) == ["applicant@eastside.org", "applicant@northside.org"]
    assert all(m.status == ob.PENDING and m.not_before == first.hold_until for m in pending)
    assert outbox() == []
    # The applicant sees nothing during the hold.
    applicant = login(w.users["applicant"])
    assert "Awarded: $45,000.00" not in _body(applicant.get(f"/applications/{w.application.id}"))
    assert "Undo this release" in _body(po.get(URL))
    # Undone: hidden again, messages cancelled, and the hold's end sends nothing.
    assert po.post(f"/programs/health-2026/releases/{first.id}/call-off").status_code == 302
    db.session.expire_all()
    assert db.session.get(Release, first.id).status == rel.UNDONE
    assert {m.status for m in db.session.execute(select(ob.OutboxMessage)
                                                 .where(ob.OutboxMessage.event == "decision.released")).scalars()} \
        == {ob.CANCELLED}
    assert db.session.execute(select(func.count()).select_from(DecisionVersion)).scalar_one() == 0
    assert all(d.released_at is None for d in db.session.execute(select(Decision)).scalars())
    ob.sweep(now=first.hold_until + dt.timedelta(minutes=1))
    assert outbox() == []
    # Found by hand: the messages log offered "Send again" for them, which told an applicant of an
    # award that was never released. A message cancelled with its cause is never sent again.
    admin = login(w.users["funder_admin"])
    log = _body(admin.get("/funders/riverside/messages"))
    assert "Send again" not in log
    cancelled = db.session.execute(select(ob.OutboxMessage).where(ob.OutboxMessage.event == "decision.released")).scalars().first()
    r = admin.post(f"/funders/riverside/messages/{cancelled.id}/send-again", follow_redirects=True)
    assert "cannot be sent again" in _body(r)
    db.session.expire_all()
    assert db.session.get(ob.OutboxMessage, cancelled.id).status == ob.CANCELLED
    ob.sweep(now=first.hold_until + dt.timedelta(minutes=2))
    assert outbox() == []
    po = login(w.users["program_officer"])
    # Released again: each applicant is told once, when the new hold ends.
    assert po.post(URL, data={"outcomes": ["award", "decline"], "when": "now", "count": "2"}).status_code == 302
    db.session.expire_all()
    second = db.session.execute(select(Release).where(Release.id != first.id)).scalar_one()
    assert ob.sweep(now=second.hold_until - dt.timedelta(seconds=1))["sent"] == 0
    ob.sweep(now=second.hold_until + dt.timedelta(seconds=1))
    ob.sweep(now=second.hold_until + dt.timedelta(minutes=5))
    assert sorted(m["To"] for m in outbox()) == ["applicant@eastside.org", "applicant@northside.org"]
    # Too late to undo once the hold is over.
    with pytest.raises(rel.ReleaseError):
        rel.call_off(db.session.get(Release, second.id), now=second.hold_until + dt.timedelta(seconds=1))


def test_the_decision_is_shown_and_its_message_links_to_it(decided, login, app):
    w = decided
    app.config["RELEASE_HOLD_MINUTES"] = 0
    _officer_releases(w, login)
    mails = {m["To"]: m.get_content() for m in outbox()}
    assert "it was not funded this time" in mails["applicant@northside.org"]
    assert f"http://localhost/applications/{w.other_application.id}" in mails["applicant@northside.org"]
    assert "it was awarded $45,000.00" in mails["applicant@eastside.org"]
    page = _body(login(w.users["applicant"]).get(f"/applications/{w.application.id}"))
    assert "Awarded: $45,000.00" in page


def test_awards_first_then_the_rest(decided, login, app):
    w = decided
    _close(w.program)
    app.config["RELEASE_HOLD_MINUTES"] = 0
    po = login(w.users["program_officer"])
    page = _body(po.get(URL + "?outcomes=award"))
    assert "Release 1 decision" in page and "Release 2 decisions" not in page
    assert po.post(URL, data={"outcomes": ["award"], "when": "now", "count": "1"}).status_code == 302
    assert [m["To"] for m in outbox()] == ["applicant@eastside.org"]
    db.session.expire_all()
    assert rel.released_decision(w.application) is not None and rel.released_decision(w.other_application) is None
    # Everything else later: only the declines are left, and the award is not told twice.
    page = _body(po.get(URL))
    assert "Release 1 decision" in page
    assert po.post(URL, data={"outcomes": ["award", "decline", "waitlist"], "when": "now", "count": "1"}).status_code == 302
    assert sorted(m["To"] for m in outbox()) == ["applicant@eastside.org", "applicant@northside.org"]


def _scheduled_tasks(app) -> list[tuple]:
    """The release jobs waiting in the queue, with the time each may run (Huey keeps the time
    with the task until a worker takes it)."""
    return [(tuple(t.args), t.eta) for t in get_huey(app).pending() if t.name == rel.RELEASE_TASK]


def test_scheduled_for_the_release_date_and_cancelled_before(decided, login, app):
    w = decided
    po, scheduled = _officer_releases(w, login, when="scheduled")
    assert scheduled.status == rel.SCHEDULED and scheduled.scheduled_for == w.program.decisions_release_at
    [(args, eta)] = _scheduled_tasks(app)  # the queue job, at the release date
    assert args == (scheduled.id,) and eta.replace(tzinfo=dt.timezone.utc) == scheduled.scheduled_for
    assert "Cancel this scheduled release" in _body(po.get(URL))
    assert rel.perform_scheduled(scheduled.id) == 0  # not before its time
    assert po.post(f"/programs/health-2026/releases/{scheduled.id}/call-off").status_code == 302
    db.session.expire_all()
    assert db.session.get(Release, scheduled.id).status == rel.CANCELLED
    # At the release date the job finds it cancelled and does nothing.
    assert rel.perform_scheduled(scheduled.id, now=scheduled.scheduled_for + dt.timedelta(minutes=1)) == 0
    db.session.commit()
    _nothing_told = db.session.execute(select(func.count()).select_from(Decision)
                                       .where(Decision.released_at.is_not(None))).scalar_one()
    assert _nothing_told == 0


def test_scheduled_release_runs_at_its_time_from_the_queue_or_the_check(decided, login, app):
    w = decided
    _, job = _officer_releases(w, login, when="scheduled", outcomes=["award"], count=1)
    at = job.scheduled_for + dt.timedelta(seconds=5)
    # The queue lost the job: the periodic check performs it once its time has come.
    assert rel.perform_due(now=job.scheduled_for - dt.timedelta(minutes=1)) == 0
    assert rel.perform_due(now=at) == 1
    db.session.commit()
    assert rel.perform_scheduled(job.id, now=at) == 0  # the queue's copy arrives late: nothing twice
    db.session.commit()
    db.session.expire_all()
    decision = db.session.execute(select(Decision).where(Decision.application_id == w.application.id)).scalar_one()
    assert decision.released_at == at + dt.timedelta(minutes=10)
    [message] = db.session.execute(select(ob.OutboxMessage).where(ob.OutboxMessage.event == "decision.released")).scalars()
    assert message.not_before == decision.released_at
    assert f"http://localhost/applications/{w.application.id}" in message.body


def test_scheduling_needs_a_release_date_in_the_future(decided, login):
    decided.program.decisions_release_at = None
    _close(decided.program)
    r = login(decided.users["program_officer"]).post(
        URL, data={"outcomes": ["award", "decline"], "when": "scheduled", "count": "2"})
    assert r.status_code == 422 and 'id="when-error"' in _body(r) and "no release date in the future" in _body(r)
    _nothing_released()


def test_release_command_performs_what_is_due(decided, app):
    _close(decided.program)
    rel.request_release(decided.program, ["award", "decline"], count=2, when=rel.SCHEDULE,
                        actor=decided.users["program_officer"])
    db.session.commit()
    runner = app.test_cli_runner()
    assert "0 decisions released." in runner.invoke(args=["release-decisions"]).output
    decided.program.decisions_release_at = None  # the release keeps the date it was scheduled for
    db.session.execute(Release.__table__.update().values(scheduled_for=utcnow() - dt.timedelta(minutes=1)))
    db.session.commit()
    assert "2 decisions released." in runner.invoke(args=["release-decisions"]).output
    assert "0 decisions released." in runner.invoke(args=["release-decisions"]).output


def test_nothing_to_release_and_foreign_release_ids(decided, login):
    po = login(decided.users["program_officer"])
    r = po.post(URL, data={"outcomes": ["waitlist"], "when": "now", "count": "0", "reason": "x"})
    assert r.status_code == 422 and "No decision of these kinds is waiting" in _body(r)
    assert po.post("/programs/health-2026/releases/999/call-off").status_code == 404
    other = Release(program_id=decided.other_program.id, outcomes=["award"], status=rel.SCHEDULED)
    db.session.add(other)
    db.session.commit()
    assert po.post(f"/programs/health-2026/releases/{other.id}/call-off").status_code == 404
    assert db.session.get(Release, other.id).status == rel.SCHEDULED
    assert db.session.execute(select(func.count()).select_from(IssuedLetter)).scalar_one() == 0


def test_the_applicant_sees_no_sign_of_a_decision_before_its_release(decided, login, app):
    """Not the decision, nor the status it gave the application, nor its line in the timeline."""
    w = decided
    page = _body(login(w.users["applicant"]).get(f"/applications/{w.application.id}"))
    assert "awarded" not in page.lower() and "Decision:" not in page
    assert '<strong class="tag">submitted</strong>' in page
    assert "awarded" not in _body(login(w.users["applicant"]).get("/dashboard")).lower()
    officer_page = _body(login(w.users["program_officer"]).get(f"/applications/{w.application.id}"))
    assert '<strong class="tag">awarded</strong>' in officer_page
    _close(w.program)
    app.config["RELEASE_HOLD_MINUTES"] = 0
    rel.request_release(w.program, ["award"], count=1, actor=w.users["program_officer"])
    db.session.commit()
    page = _body(login(w.users["applicant"]).get(f"/applications/{w.application.id}"))
    assert '<strong class="tag">awarded</strong>' in page and "Decision: awarded" in page
    assert '<td data-label="Status">awarded</td>' in _body(login(w.users["applicant"]).get("/dashboard"))


def test_the_status_note_of_a_decision_is_stored_in_the_source_wording(world):
    """The note is stored and read by the applicant and every officer: an officer deciding on a
    Spanish page leaves the same note as one deciding on an English page."""
    from grantflow.applications.models import StatusChange
    from grantflow.core.i18n import in_language

    with in_language("es"):
        decide(world.application, "award", amount_cents=45_000_00, rationale="Strong.",
               actor=world.users["program_officer"], reason_without_review="The chair read it.")
    db.session.commit()
    db.session.expire_all()
    notes = db.session.execute(select(StatusChange.note).where(
        StatusChange.application_id == world.application.id)).scalars().all()
    assert notes[-1] == "Decision: awarded"
