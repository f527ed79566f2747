"""Feedback to applicants once decisions are released: criteria averages, comments for the
applicant, rule explanations, what would have strengthened it; never reviewers' identities."""
from __future__ import annotations

import datetime as dt

import pytest

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.feedback import applicant as fb
from tests import factories as F
from tests.feedback.builders import decide, release, review


def _reviewed(world):
    w = world
    review(w.other_application, w.users["reviewer"], [2, 4, 5],
           to_applicant="Say more about who you serve.", private="Rae thinks the budget is padded.")
    review(w.other_application, w.users["other_reviewer"], [3, 5, None],
           to_applicant="Strong community voice.", private="PRIVATE-NOTE")
    # A draft review never counts.
    rev3 = F.user("rev3@riverside.org", "Draft Drew", org=w.funder, role="reviewer")
    review(w.other_application, rev3, [1, 1, 1], to_applicant="DRAFT-COMMENT", submitted=False)
    db.session.commit()


def test_before_release_nothing_is_shown(world, login):
    _reviewed(world)
    decide(world.other_application, "decline")
    world.program.decisions_release_at = utcnow() + dt.timedelta(days=3)
    db.session.commit()
    page = login(world.users["other_applicant"]).get(f"/applications/{world.other_application.id}/feedback")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "when decisions are released" in html
    assert "Say more about who you serve" not in html


def test_declined_applicant_reads_plain_language_feedback(world, login):
    _reviewed(world)
    decide(world.other_application, "decline")
    release(world.program)
    db.session.commit()
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "We could not fund your application this time" in html
    # Panel averages: criterion 1 (2+3)/2 = 2.5, criterion 2 4.5, criterion 3 only one score: 5.0.
    assert "2.5" in html and "4.5" in html and "5.0" in html
    assert "Say more about who you serve." in html and "Strong community voice." in html
    # What would have strengthened it: the lowest criterion with the next level's anchor text.
    assert "Criterion 1" in html and "at the next level (3) reviewers look for “Level 3”" in html
    # Never reviewers' identities, private comments or draft reviews.
    for secret in ("Rae Reviewer", "Ola Reviewer", "Draft Drew", "rev@riverside.org", "padded",
                   "PRIVATE-NOTE", "DRAFT-COMMENT"):
        assert secret not in html


def test_criterion_means_exclude_missing_scores(world):
    _reviewed(world)
    means = fb.criterion_means(world.other_application)
    crit = world.program.current_rubric.criteria
    assert means[crit[0].id] == (2.5, 2)
    assert means[crit[2].id] == (5.0, 1)


def test_strengthen_picks_lowest_below_top(world):
    _reviewed(world)
    decide(world.other_application, "decline")
    release(world.program)
    result = fb.build_feedback(world.other_application)
    assert [c.label.text for c in result.strengthen] == ["Criterion 1", "Criterion 2"]
    assert result.strengthen[0].next_level == 3 and result.strengthen[0].next_anchor.text == "Level 3"


def test_program_turns_parts_off_and_awarded_default(world, login):
    _reviewed(world)
    decide(world.other_application, "award", 40_000_00)
    release(world.program)
    db.session.commit()
    officer = login(world.users["program_officer"])
    r = officer.post("/programs/health-2026/feedback/settings", data={"show_criteria": "y", "for_awarded": "y"})
    assert r.status_code == 302
    assert fb.settings_of(world.program) == {"show_criteria": True, "show_comments": False, "show_rules": False,
                                             "show_strengthen": False, "for_awarded": True}
    event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "feedback.settings_changed")).scalar_one()
    assert event.actor_id == world.users["program_officer"].id and event.after["show_comments"] is False
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "How the panel scored each part" in html
    assert "Strong community voice." not in html and "What would have strengthened" not in html
    # Funded applicants see nothing when the program turns that off.
    officer.post("/programs/health-2026/feedback/settings", data={"show_criteria": "y"})
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "does not publish panel feedback for funded applications" in html
    assert "How the panel scored each part" not in html


def test_officer_note_shown_to_applicant(world, login):
    _reviewed(world)
    decide(world.other_application, "decline")
    release(world.program)
    db.session.commit()
    r = login(world.users["program_officer"]).post(
        f"/applications/{world.other_application.id}/feedback/note",
        data={"text": "A letter from a partner clinic would have helped."})
    assert r.status_code == 302
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "A letter from a partner clinic would have helped." in html
    assert "Pat Officer" not in html


def test_rule_explanations_when_program_shares_them(world, login):
    """The scoring rules' parts as the score page shows them (grantflow/scoring/standing.py) give the explanations."""
    from grantflow.scoring.standing import standing_of

    _reviewed(world)
    decide(world.other_application, "decline")
    release(world.program)
    db.session.commit()
    expected = [r for r in standing_of(world.other_application).score.rules if r.explanation]
    assert expected
    rules = fb.build_feedback(world.other_application).rules
    assert [(r.label, r.explanation) for r in rules] == [(r.label, r.explanation) for r in expected]
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "How the program’s priorities were applied".replace("’", "'") in html
    assert expected[0].label in html
    world.program.share_rule_explanations = False
    db.session.commit()
    assert fb.build_feedback(world.other_application).rules == ()
    html = login(world.users["other_applicant"]).get(
        f"/applications/{world.other_application.id}/feedback").get_data(as_text=True)
    assert "How the program's priorities were applied" not in html


def test_criterion_means_agree_with_review_aggregate(world):
    """Our per-application query and the reviews area's rubric_scores (contracts.md item 1) agree."""
    from grantflow.reviews.aggregate import rubric_scores

    _reviewed(world)
    theirs = rubric_scores(world.program.id)[world.other_application.id].criterion_means
    ours = {cid: mean for cid, (mean, _) in fb.criterion_means(world.other_application).items()}
    assert ours == pytest.approx(theirs)


def test_applicant_links_partial(world, login, app):
    """The status page's include: survey link after submission, feedback link once released."""
    from flask import render_template

    with app.test_request_context():
        from flask_login import login_user

        login_user(world.users["applicant"])
        html = render_template("feedback/_applicant_links.html", application=world.application)
        assert f"/applications/{world.application.id}/burden-survey" in html
        assert "/feedback" not in html.replace("burden-survey", "")
        decide(world.application, "decline")
        release(world.program)
        html = render_template("feedback/_applicant_links.html", application=world.application)
        assert f"/applications/{world.application.id}/feedback" in html
    with app.test_request_context():
        from flask_login import login_user

        login_user(world.users["program_officer"])
        assert "burden-survey" not in render_template("feedback/_applicant_links.html", application=world.application)
