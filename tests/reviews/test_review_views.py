"""The reviewer's pages: conflict declaration first, the review form from the rubric version,
drafts and submission, the review period, and others' reviews hidden until submitting."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from grantflow.core.auditlog import AuditEvent
from grantflow.core.db import db, utcnow
from grantflow.reviews.models import ASSIGNED, RECUSED, Review, ReviewAssignment
from tests.reviews.helpers import review as make_review


def _confirmed(world):
    world.assignment.no_conflict_confirmed_at = utcnow()
    db.session.commit()


def _crit_ids(world):
    return [c.id for c in world.program.current_rubric.criteria]


def test_first_open_asks_for_conflict_declaration(world, login):
    client = login(world.users["reviewer"])
    r = client.get(f"/reviews/{world.application.id}")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Before you review: conflict of interest" in body
    assert 'name="answer"' in body and "criterion_" not in body
    # Sending nothing: the message is at the field.
    r = client.post(f"/reviews/{world.application.id}/conflict", data={})
    assert r.status_code == 422
    assert "Confirm you have no conflict, or declare one." in r.get_data(as_text=True)
    r = client.post(f"/reviews/{world.application.id}/conflict", data={"answer": "none"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/reviews/{world.application.id}")
    assert world.assignment.no_conflict_confirmed_at is not None
    body = client.get(f"/reviews/{world.application.id}").get_data(as_text=True)
    assert "Your scores" in body
    assert "Level 3" in body and "How well does the proposal do this?" in body
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "conflict.none_confirmed")).first()


def test_declaring_a_conflict_recuses_and_reassigns(world, login):
    client = login(world.users["reviewer"])
    r = client.post(f"/reviews/{world.application.id}/conflict", data={"answer": "conflict", "reason": ""})
    assert r.status_code == 422
    assert "Describe the conflict of interest." in r.get_data(as_text=True)
    r = client.post(f"/reviews/{world.application.id}/conflict",
                    data={"answer": "conflict", "reason": "I volunteer there on weekends."})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, world.assignment.id).status == RECUSED
    # The reviewer lost access; the slot went to the other panel reviewer.
    assert client.get(f"/reviews/{world.application.id}").status_code == 404
    other = db.session.execute(select(ReviewAssignment).where(
        ReviewAssignment.application_id == world.application.id,
        ReviewAssignment.reviewer_id == world.users["other_reviewer"].id)).scalar_one()
    assert other.status == ASSIGNED


def test_draft_then_submit_with_field_errors_and_kept_values(world, login):
    _confirmed(world)
    c1, c2, c3 = _crit_ids(world)
    client = login(world.users["reviewer"])
    url = f"/reviews/{world.application.id}"
    r = client.post(url, data={f"criterion_{c1}": "4", "comment_to_applicant": "Clear plan.",
                               "private_comment": "Strong team.", "save": "Save draft"})
    assert r.status_code == 302
    rev = db.session.execute(select(Review)).scalar_one()
    assert rev.status == "draft" and {s.criterion_id: s.score for s in rev.scores}[c1] == 4
    # Submitting with criteria left blank: an error at each blank criterion, typed values kept.
    r = client.post(url, data={f"criterion_{c1}": "4", f"criterion_{c2}": "2",
                               "comment_to_applicant": "Clear plan, typed again.", "submit": "Submit review"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Choose a score for “Criterion 3”, or save the review as a draft." in body
    assert "Clear plan, typed again." in body
    assert f'checked id="criterion_{c2}-1" name="criterion_{c2}" type="radio" value="2"' in body
    # An out-of-scale value is refused at the field.
    r = client.post(url, data={f"criterion_{c1}": "9", f"criterion_{c2}": "2", f"criterion_{c3}": "3",
                               "submit": "Submit review"})
    assert r.status_code == 422 and "Not a valid choice" in r.get_data(as_text=True)
    r = client.post(url, data={f"criterion_{c1}": "5", f"criterion_{c2}": "2", f"criterion_{c3}": "3",
                               "comment_to_applicant": "Good.", "submit": "Submit review"})
    assert r.status_code == 302
    db.session.expire_all()
    rev = db.session.execute(select(Review)).scalar_one()
    assert rev.status == "submitted" and rev.submitted_at is not None
    assert {s.criterion_id: s.score for s in rev.scores} == {c1: 5, c2: 2, c3: 3}
    # Editable after submitting, until the review period ends.
    r = client.post(url, data={f"criterion_{c1}": "3", f"criterion_{c2}": "2", f"criterion_{c3}": "3",
                               "submit": "Submit review"})
    assert r.status_code == 302
    world.program.review_ends_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    r = client.post(url, data={f"criterion_{c1}": "1", f"criterion_{c2}": "1", f"criterion_{c3}": "1",
                               "submit": "Submit review"})
    assert r.status_code == 409
    assert "The review period has ended" in r.get_data(as_text=True)
    db.session.expire_all()
    assert {s.criterion_id: s.score for s in db.session.execute(select(Review)).scalar_one().scores}[c1] == 3
    actions = [e.action for e in db.session.execute(select(AuditEvent)).scalars()]
    assert actions.count("review.submit") == 2 and actions.count("review.save_draft") == 1


def test_review_uses_the_applications_rubric_version(world, login):
    from decimal import Decimal

    from grantflow.programs.models import Criterion, Rubric

    v2 = Rubric(program=world.program, version=2)
    v2.criteria = [Criterion(position=0, label="New criterion", weight=Decimal(1), scale_min=0, scale_max=3,
                             anchors={"0": "None", "3": "Excellent"})]
    db.session.add(v2)
    _confirmed(world)
    body = login(world.users["reviewer"]).get(f"/reviews/{world.application.id}").get_data(as_text=True)
    assert "Criterion 1" in body and "New criterion" not in body and "rubric version 1" in body


def test_others_hidden_until_submitted_and_only_when_allowed(world, login):
    _confirmed(world)
    c = _crit_ids(world)
    other = world.users["other_reviewer"]
    make_review(world.application, other, [1, 1, 1]).comment_to_applicant = "OTHER-REVIEW-COMMENT"
    world.program.reviewers_see_others = True
    db.session.commit()
    client = login(world.users["reviewer"])
    url = f"/reviews/{world.application.id}"
    assert "OTHER-REVIEW-COMMENT" not in client.get(url).get_data(as_text=True)
    client.post(url, data={f"criterion_{c[0]}": "3", "save": "Save draft"})
    assert "OTHER-REVIEW-COMMENT" not in client.get(url).get_data(as_text=True)
    client.post(url, data={f"criterion_{c[0]}": "3", f"criterion_{c[1]}": "3", f"criterion_{c[2]}": "3",
                           "submit": "Submit review"})
    assert "OTHER-REVIEW-COMMENT" in client.get(url).get_data(as_text=True)
    world.program.reviewers_see_others = False
    db.session.commit()
    assert "OTHER-REVIEW-COMMENT" not in client.get(url).get_data(as_text=True)


def test_dashboard_lists_assignments_with_links(world, login):
    body = login(world.users["reviewer"]).get("/dashboard").get_data(as_text=True)
    assert f'href="/reviews/{world.application.id}"' in body
    assert "confirm no conflict first" in body


def test_officer_assignment_pages(world, login):
    po = login(world.users["program_officer"])
    body = po.get("/programs/health-2026/reviewers").get_data(as_text=True)
    assert "Rae Reviewer" in body and "Assign reviewers automatically" in body
    r = po.post("/programs/health-2026/reviewers/auto")
    assert r.status_code == 302
    # Two reviewers on the panel, 3 wanted per application: both applications get both.
    pairs = set(db.session.execute(select(ReviewAssignment.application_id, ReviewAssignment.reviewer_id)
                                   .where(ReviewAssignment.status == ASSIGNED)).all())
    assert len(pairs) == 4
    # By hand: a conflicted reviewer is refused with a message at the field.
    from tests import factories as F

    F.membership(world.users["other_reviewer"], world.other_cbo, "member", title="board member")
    po.post(f"/assignments/{world.assignment.id}/remove")
    new_app = F.application(world.program, world.other_cbo)
    db.session.commit()
    body = po.get(f"/applications/{new_app.id}/reviewers").get_data(as_text=True)
    assert "Ola Reviewer: board member of the applicant organization" in body
    r = po.post(f"/applications/{new_app.id}/reviewers", data={"reviewers": [world.users["other_reviewer"].id]})
    assert r.status_code == 422
    assert "Ola Reviewer has a conflict of interest" in r.get_data(as_text=True)
    r = po.post(f"/applications/{new_app.id}/reviewers", data={"reviewers": [world.users["reviewer"].id]})
    assert r.status_code == 302
    assert db.session.execute(select(ReviewAssignment).where(
        ReviewAssignment.application_id == new_app.id)).scalar_one().reviewer_id == world.users["reviewer"].id


def test_only_a_submitted_application_can_be_given_reviewers(world, login):
    """A draft is the applicant's own work in progress: assigning a reviewer to it by hand is
    refused at the field, and nothing is assigned or mailed."""
    from grantflow.core.mail import outbox
    from tests import factories as F

    draft = F.application(world.program, world.other_cbo, status="draft")
    db.session.commit()
    po = login(world.users["program_officer"])
    r = po.post(f"/applications/{draft.id}/reviewers", data={"reviewers": [world.users["reviewer"].id]})
    assert r.status_code == 422
    assert "Only a submitted application can be given reviewers." in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(ReviewAssignment).where(ReviewAssignment.application_id == draft.id)).first() is None
    assert not [m for m in outbox() if "rev@riverside.org" in m.to]


def test_a_withdrawn_or_draft_application_is_out_of_its_reviewers_reach(world, login):
    """The applicant was told a withdrawn application "will not be reviewed": its reviewers can no
    longer open, score or download it, and their dashboard no longer lists it; a draft assigned by
    any means is never readable."""
    from grantflow.applications.models import DRAFT, WITHDRAWN

    _confirmed(world)
    c1, c2, c3 = _crit_ids(world)
    client = login(world.users["reviewer"])
    url = f"/reviews/{world.application.id}"
    assert client.get(url).status_code == 200
    for status in (WITHDRAWN, DRAFT):
        world.application.status = status
        db.session.commit()
        assert client.get(url).status_code == 404
        assert client.get(f"/applications/{world.application.id}").status_code == 404
        r = client.post(url, data={f"criterion_{c1}": "4", f"criterion_{c2}": "4", f"criterion_{c3}": "4",
                                   "submit": "Submit review"})
        assert r.status_code == 404
        assert f'href="/reviews/{world.application.id}"' not in client.get("/dashboard").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(select(Review)).first() is None


def test_a_submitted_review_is_changed_only_as_a_whole_review(world, login):
    """Once submitted, the form offers no "Save draft": a change is a submitted review's change,
    checked like one (every criterion scored), and said as such."""
    _confirmed(world)
    c1, c2, c3 = _crit_ids(world)
    client = login(world.users["reviewer"])
    url = f"/reviews/{world.application.id}"
    full = {f"criterion_{c1}": "4", f"criterion_{c2}": "4", f"criterion_{c3}": "4"}
    assert client.post(url, data=full | {"submit": "Submit review"}).status_code == 302
    body = client.get(url).get_data(as_text=True)
    assert "Save draft" not in body and "Update review" in body
    # A crafted "save" leaving a criterion out: refused at the field, the review unchanged.
    r = client.post(url, data={f"criterion_{c1}": "1", f"criterion_{c2}": "1", "save": "Save draft"})
    assert r.status_code == 422
    assert "Choose a score for “Criterion 3”" in r.get_data(as_text=True)
    db.session.expire_all()
    rev = db.session.execute(select(Review)).scalar_one()
    assert rev.status == "submitted" and {s.criterion_id: s.score for s in rev.scores} == {c1: 4, c2: 4, c3: 4}
    r = client.post(url, data=full | {f"criterion_{c1}": "2", "save": "Save draft"}, follow_redirects=True)
    assert "Your review was updated." in r.get_data(as_text=True)
    assert "Your draft was saved." not in r.get_data(as_text=True)
    db.session.expire_all()
    assert {s.criterion_id: s.score for s in db.session.execute(select(Review)).scalar_one().scores}[c1] == 2


def test_the_reviewer_reads_an_outcome_by_its_name_not_its_key(world, login):
    world.application.outcomes = [{"metric": "people_served", "target": "124"}, {"metric": "Meals cooked", "target": "900"}]
    _confirmed(world)
    body = login(world.users["reviewer"]).get(f"/reviews/{world.application.id}").get_data(as_text=True)
    assert "People served: 124" in body and "Meals cooked: 900" in body
    assert "people_served" not in body
