"""Grantee check-ins: a schedule set by the program, reports filed by funded organizations, late
ones flagged, and `grantflow remind-reports` mailing once per report per day."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.core.mail import outbox
from grantflow.feedback import checkins
from grantflow.feedback.models import ProgressReport
from tests.feedback.builders import decide, release


@pytest.fixture
def funded(world):
    world.application.outcomes = [{"metric": "Households housed", "target": "40"},
                                  {"metric": "Median resident income", "target": "$38,000"}]
    decide(world.application, "award", 60_000_00)
    decide(world.other_application, "decline")
    release(world.program)
    db.session.commit()
    return world


def _reminders():
    """The progress-report reminders sent (the release of decisions sent its own message too)."""
    return [m for m in outbox() if "progress report" in m["Subject"]]


def _today(program):
    return checkins.today_for(program)


def test_schedule_form_validates_and_creates_reports(funded, login):
    w = funded
    officer = login(w.users["program_officer"])
    r = officer.post("/programs/health-2026/feedback/reports", data={"dates": "2027-03-31\nMarch 2027"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="dates-error"' in html and "not dates in the form YYYY-MM-DD: March 2027" in html
    assert "2027-03-31\nMarch 2027" in html
    r = officer.post("/programs/health-2026/feedback/reports", data={"dates": "2027-09-30\n2027-03-31\n"})
    assert r.status_code == 302
    assert w.program.report_schedule == ["2027-03-31", "2027-09-30"]
    reports = db.session.execute(select(ProgressReport)).scalars().all()
    # Only the awarded application gets reports.
    assert {(r.application_id, r.due_on.isoformat()) for r in reports} == {
        (w.application.id, "2027-03-31"), (w.application.id, "2027-09-30")}
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "feedback.report_schedule_set")).scalar_one()
    assert event.after == {"report_schedule": ["2027-03-31", "2027-09-30"]}
    # Removing a date removes its unfiled report.
    officer.post("/programs/health-2026/feedback/reports", data={"dates": "2027-03-31"})
    assert db.session.execute(select(db.func.count(ProgressReport.id))).scalar() == 1


def _overdue_and_upcoming(w) -> list[ProgressReport]:
    """Two check-ins: one due ten days ago, one due in two months."""
    today = _today(w.program)
    checkins.set_schedule(w.program, [today - dt.timedelta(days=10), today + dt.timedelta(days=60)])
    db.session.commit()
    return db.session.execute(select(ProgressReport).order_by(ProgressReport.due_on)).scalars().all()


def test_grantee_files_report_and_officer_sees_late_ones(funded, login):
    w = funded
    overdue, upcoming = _overdue_and_upcoming(w)
    officer = login(w.users["program_officer"])
    html = officer.get("/programs/health-2026/feedback/reports").get_data(as_text=True)
    assert 'id="late-reports"' in html and "Overdue" in html and w.cbo.name in html

    grantee = login(w.users["applicant"])
    assert f"/reports/{overdue.id}" in grantee.get(f"/applications/{w.application.id}/reports").get_data(as_text=True)
    page = grantee.get(f"/reports/{overdue.id}").get_data(as_text=True)
    assert "Households housed: value reached" in page and "Your target: 40" in page
    r = grantee.post(f"/reports/{overdue.id}", data={"actual_0": "", "actual_1": "$36,500",
                                                     "how_funder_could_help": "One report a year."})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="actual_0-error"' in html and "$36,500" in html and "One report a year." in html
    r = grantee.post(f"/reports/{overdue.id}", data={"actual_0": "31", "actual_1": "$36,500",
                                                     "how_funder_could_help": "One report a year."})
    assert r.status_code == 302
    db.session.refresh(overdue)
    assert overdue.measures == {"items": [
        {"metric": "Households housed", "target": "40", "actual": "31"},
        {"metric": "Median resident income", "target": "$38,000", "actual": "$36,500"}]}
    assert overdue.submitted_by_id == w.users["applicant"].id
    rows = {r.report.id: r for r in checkins.program_reports(w.program)}
    assert rows[overdue.id].state == "filed late" and rows[overdue.id].flagged
    assert rows[upcoming.id].state == "upcoming" and not rows[upcoming.id].flagged
    html = officer.get("/programs/health-2026/feedback/reports").get_data(as_text=True)
    assert "One report a year." in html and "Households housed: 31 (target 40)" in html
    # Another organization's applicant cannot open the report.
    assert login(w.users["other_applicant"]).get(f"/reports/{overdue.id}").status_code == 404


def test_no_reports_before_release(world):
    decide(world.application, "award", 10_000_00)
    world.program.decisions_release_at = utcnow() + dt.timedelta(days=2)
    checkins.set_schedule(world.program, [dt.date(2027, 1, 31)])
    assert db.session.execute(select(ProgressReport)).first() is None


def test_remind_reports_cli_once_per_day(funded, app):
    w = funded
    today = _today(w.program)
    checkins.set_schedule(w.program, [today - dt.timedelta(days=2), today + dt.timedelta(days=3),
                                      today + dt.timedelta(days=30)])
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind-reports"])
    assert result.exit_code == 0, result.output
    assert "Reminded 2 report(s)." in result.output
    mails = _reminders()
    assert len(mails) == 2 and all(m["To"] == w.users["applicant"].email for m in mails)
    subjects = sorted(m["Subject"] for m in mails)
    assert subjects[0].startswith("Overdue: your progress report for Community Health 2026")
    assert subjects[1].startswith("Reminder: your progress report")
    assert "/reports/" in mails[0].get_content()
    # The same day: nothing more.
    result = runner.invoke(args=["remind-reports"])
    assert "Reminded 0 report(s)." in result.output and len(_reminders()) == 2
    # The next day: reminded again.
    sent = checkins.send_reminders(now=utcnow() + dt.timedelta(days=1))
    assert len(_reminders()) == 2  # mail leaves with the commit, not before
    db.session.commit()
    assert sent == 2 and len(_reminders()) == 4
    # Filed reports are never reminded.
    for r in db.session.execute(select(ProgressReport)).scalars():
        r.submitted_at = utcnow()
    assert checkins.send_reminders(now=utcnow() + dt.timedelta(days=2)) == 0


def test_status_page_links_to_reports_of_funded_grantee(funded, app):
    from flask import render_template
    from flask_login import login_user

    w = funded
    with app.test_request_context():
        login_user(w.users["applicant"])
        assert "/reports" not in render_template("feedback/_applicant_links.html", application=w.application)
        checkins.set_schedule(w.program, [dt.date(2027, 6, 30)])
        html = render_template("feedback/_applicant_links.html", application=w.application)
        assert f"/applications/{w.application.id}/reports" in html
    with app.test_request_context():
        login_user(w.users["other_applicant"])  # declined: no reports
        assert "/reports" not in render_template("feedback/_applicant_links.html", application=w.other_application)


def test_a_grantee_reads_their_reports_in_spanish(funded, login):
    """Found by hand: the progress report pages were in English only (headings, states, months)."""
    import html as html_lib

    w = funded
    today = _today(w.program)
    overdue, _upcoming = _overdue_and_upcoming(w)
    grantee = login(w.users["applicant"])
    grantee.post("/language", data={"locale": "es", "next": "/account"})
    listing = html_lib.unescape(grantee.get(f"/applications/{w.application.id}/reports").get_data(as_text=True))
    assert "Informes de avance" in listing and "próximo" in listing
    for english in ("Progress reports", "Due", "upcoming", "File the report due", "January", "March"):
        assert english not in listing, english
    page = html_lib.unescape(grantee.get(f"/reports/{overdue.id}").get_data(as_text=True))
    assert "Households housed: valor alcanzado" in page and "Su meta: 40" in page
    for english in ("Progress report due", "value reached", "Your target", "Outcome measures", "File report"):
        assert english not in page, english
    from tests.awards import builders

    builders.report(w.application, "interim", today + dt.timedelta(days=40))
    db.session.commit()
    dashboard = html_lib.unescape(grantee.get("/dashboard").get_data(as_text=True))
    reports = dashboard[dashboard.index('id="grantee-reports"'):dashboard.index("</ul>", dashboard.index('id="grantee-reports"'))]
    assert f"para {w.program.title}:" in reports and "próximo" in reports
    assert " for " not in reports and "upcoming" not in reports and "overdue" not in reports
