"""Rubric builder: criteria CRUD and reordering, weight shares, and versioning once reviews exist."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from grantflow.core.db import db
from grantflow.programs import rubrics
from grantflow.programs.models import Criterion, Rubric
from grantflow.reviews.models import CriterionScore, Review
from tests import factories as F


def _review(application, rubric, reviewer, score=4):
    review = Review(application_id=application.id, reviewer_id=reviewer.id, rubric_id=rubric.id, status="submitted")
    review.scores = [CriterionScore(criterion_id=c.id, score=score) for c in rubric.criteria]
    db.session.add(review)
    db.session.flush()
    return review


def test_edits_without_reviews_change_the_version_in_place(world):
    program = world.program
    v1 = program.current_rubric
    first = v1.criteria[0].id
    rubrics.update_criterion(program, first, {"label": "Reach", "weight": Decimal(3)})
    rubrics.add_criterion(program, {"label": "Voice", "weight": Decimal(2), "scale_min": 0, "scale_max": 3,
                                    "anchors": {"0": "none", "3": "strong"}})
    rubrics.move_criterion(program, first, +1)
    db.session.commit()
    assert program.current_rubric.id == v1.id and len(program.rubrics) == 1
    db.session.refresh(v1)
    assert [c.label for c in v1.criteria] == ["Criterion 2", "Reach", "Criterion 3", "Voice"]
    assert [c.position for c in v1.criteria] == [0, 1, 2, 3]
    rubrics.remove_criterion(program, v1.criteria[0].id)
    db.session.commit()
    db.session.refresh(v1)
    assert [c.label for c in v1.criteria] == ["Reach", "Criterion 3", "Voice"]
    assert [c.position for c in v1.criteria] == [0, 1, 2]


def test_a_review_freezes_the_version_and_an_edit_makes_a_new_one(world):
    program = world.program
    v1 = program.current_rubric
    review = _review(world.application, v1, world.users["reviewer"])
    db.session.commit()
    assert rubrics.is_frozen(v1)
    old_ids = [c.id for c in v1.criteria]
    rubrics.update_criterion(program, old_ids[0], {"label": "Changed", "weight": Decimal(5)})
    db.session.commit()

    v2 = program.current_rubric
    assert v2.version == 2 and v2.id != v1.id
    assert [c.label for c in v2.criteria] == ["Changed", "Criterion 2", "Criterion 3"]
    assert not set(old_ids) & {c.id for c in v2.criteria}
    # The old version and the review made against it are untouched.
    db.session.refresh(v1)
    assert [c.label for c in v1.criteria] == ["Criterion 1", "Criterion 2", "Criterion 3"]
    db.session.refresh(review)
    assert review.rubric_id == v1.id
    assert {s.criterion_id for s in review.scores} == set(old_ids)

    # Further edits go to v2 in place while v2 has no review.
    rubrics.remove_criterion(program, v2.criteria[2].id)
    rubrics.move_criterion(program, v2.criteria[1].id, -1)
    db.session.commit()
    assert len(program.rubrics) == 2
    assert [c.label for c in program.current_rubric.criteria] == ["Criterion 2", "Changed"]

    # Applications submitted afterwards get the new version.
    later = F.application(program, F.cbo())
    assert later.rubric_id == v2.id


@pytest.mark.parametrize("operation", ["add", "move", "remove"])
def test_every_kind_of_edit_versions_a_frozen_rubric(world, operation):
    program = world.program
    v1 = program.current_rubric
    _review(world.application, v1, world.users["reviewer"])
    n_scores = db.session.execute(select(db.func.count()).select_from(CriterionScore)).scalar_one()
    target = v1.criteria[0].id
    if operation == "add":
        rubrics.add_criterion(program, {"label": "New", "weight": Decimal(1)})
    elif operation == "move":
        rubrics.move_criterion(program, target, +1)
    else:
        rubrics.remove_criterion(program, target)
    db.session.commit()
    assert program.current_rubric.version == 2
    assert len(db.session.get(Rubric, v1.id).criteria) == 3
    # No score of the existing review was lost (removing a criterion never cascades into old reviews).
    assert db.session.execute(select(db.func.count()).select_from(CriterionScore)).scalar_one() == n_scores


def test_moving_past_either_end_changes_nothing_and_no_new_version(world):
    program = world.program
    _review(world.application, program.current_rubric, world.users["reviewer"])
    first = program.current_rubric.criteria[0]
    rubrics.move_criterion(program, first.id, -1)
    assert program.current_rubric.version == 1


def test_weight_shares(world):
    shares = rubrics.weight_shares(world.program.current_rubric)  # weights 1, 2, 3
    assert sorted(round(v, 4) for v in shares.values()) == [round(1 / 6, 4), round(2 / 6, 4), 0.5]
    assert rubrics.levels(Criterion(scale_min=1, scale_max=3, anchors={"1": "weak", "3": "strong"})) == \
        [(1, "weak"), (2, ""), (3, "strong")]


def test_rubric_pages(world, login):
    officer = login(world.users["program_officer"])
    page = officer.get("/programs/health-2026/rubric").get_data(as_text=True)
    assert "17%" in page and "33%" in page and "50%" in page
    assert "Preview: what reviewers see" in page and 'id="pv-' in page
    r = officer.post("/programs/health-2026/rubric", data={
        "label": "Community <em>voice</em>", "guidance": "Who decides?", "weight": "4", "scale_min": "1",
        "scale_max": "3", "anchors": "Little\nSome\n<script>x()</script>"})
    assert r.status_code == 302
    page = officer.get("/programs/health-2026/rubric").get_data(as_text=True)
    assert "Community &lt;em&gt;voice&lt;/em&gt;" in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>x()" not in page
    assert "40%" in page  # 4 of 10
    c = world.program.current_rubric.criteria[-1]
    assert c.anchors == {"1": "Little", "2": "Some", "3": "<script>x()</script>"}
    edit = officer.get(f"/programs/health-2026/rubric/{c.id}").get_data(as_text=True)
    assert "Little\nSome\n" in edit
    # Bad input: field messages, typed values kept.
    r = officer.post("/programs/health-2026/rubric", data={
        "label": "", "weight": "heavy", "scale_min": "3", "scale_max": "2", "anchors": "a\nb"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Name the criterion." in html and "Enter a number, like 2 or 1.5." in html
    assert "The highest score must be above the lowest score." in html and 'value="heavy"' in html
    r = officer.post("/programs/health-2026/rubric", data={"label": "X", "weight": "1", "scale_min": "1",
                                                           "scale_max": "5", "anchors": "a\nb"})
    assert "write 5 lines, one per score (you wrote 2)" in r.get_data(as_text=True)
    # Reorder with buttons.
    first = world.program.current_rubric.criteria[0]
    officer.post(f"/programs/health-2026/rubric/{first.id}/move", data={"direction": "down"})
    db.session.expire_all()
    assert [c.label for c in world.program.current_rubric.criteria][:2] == ["Criterion 2", "Criterion 1"]


def test_editing_a_reviewed_rubric_on_the_page_says_a_version_was_made(world, login):
    _review(world.application, world.program.current_rubric, world.users["reviewer"])
    db.session.commit()
    officer = login(world.users["program_officer"])
    assert "reviews already use this version" in officer.get("/programs/health-2026/rubric").get_data(as_text=True)
    c = world.program.current_rubric.criteria[0]
    r = officer.post(f"/programs/health-2026/rubric/{c.id}", data={
        "label": "Sharper", "weight": "1", "scale_min": "1", "scale_max": "5"}, follow_redirects=True)
    assert "made version 2" in r.get_data(as_text=True)
