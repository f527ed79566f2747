"""The applications service takes and returns plain data: a CLI, an importer or an API saves and
submits a draft with no form at all, and meets the same checks as the edit page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from grantflow.applications import services
from grantflow.applications.drafts import BudgetLineInput, DraftInput, OutcomeInput, Upload
from grantflow.applications.models import SUBMITTED, Application, Attachment
from grantflow.core.db import db
from grantflow.programs.models import CustomQuestion
from tests.applications import files
from tests.applications.conftest import build_scene


def _complete(s, **overrides) -> DraftInput:
    values = dict(
        title="Healthy homes", summary="Repairs that keep asthma away.", community_voice="Tenants choose.",
        amount_requested_cents=50_000_00, need_ids=(s.housing.id,), place_ids=(s.tract.id,),
        budget=(BudgetLineInput("Staff", "Two organizers", 30_000_00), BudgetLineInput("Repairs", "", 20_000_00)),
        outcomes=(OutcomeInput("units", "40 homes repaired"),), answers={"staff": "4", "story": "Short."})
    values.update(overrides)
    return DraftInput(**values)


def _fresh(app_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app_id)


@pytest.fixture
def started(app):
    s = build_scene()
    s.application = services.start(s.program, s.cbo, s.user)
    db.session.commit()
    return s


def test_save_writes_what_passes_and_names_every_problem_by_field(started):
    s = started
    services.save_draft(s.application, _complete(s), s.user)
    db.session.commit()
    result = services.save_draft(s.application, _complete(
        s, title="x" * 201, amount_requested_cents=None, need_ids=(s.housing.id, 999_999),
        budget=(BudgetLineInput("c" * 81, "", 1_00), BudgetLineInput("Repairs", "", 20_000_00)),
        outcomes=(OutcomeInput("astrology", "y"),), answers={"staff": "501", "story": "word " * 51},
        unparsed=frozenset({"amount_requested"})), s.user)
    db.session.commit()
    assert result.problems == {
        "amount_requested": "This could not be read as typed; check it.",
        "title": "Use at most 200 characters.", "needs": "Choose needs from the list.",
        "budget-0-category": "Use at most 80 characters.", "outcomes-0-metric": "Choose a metric from the list.",
        "q_staff": "Enter a number no more than 500.", "q_story": "Use at most 50 words (you used 51)."}
    a = _fresh(s.application.id)
    assert a.title == "Healthy homes" and a.amount_requested_cents == 50_000_00  # kept as stored
    assert [n.id for n in a.needs] == [s.housing.id]
    assert [(b.position, b.category) for b in a.budget_lines] == [(1, "Repairs")]
    assert a.outcomes == []
    assert {ans.value for ans in a.answers} == {"4", "Short."}
    assert a.draft_form is None  # no page: it resumes with what is stored


def test_submit_without_a_form_checks_what_is_stored(started):
    s = started
    with pytest.raises(services.Incomplete) as refused:
        services.submit(s.application, s.user)
    # (No "places": the draft started from the profile's place, the scene's tract 1.)
    assert set(refused.value.problems) == {"title", "summary", "needs", "amount_requested",
                                           "budget-0-category", "outcomes-0-metric", "community_voice", "q_staff"}
    assert refused.value.problems["q_staff"] == "Answer “How many staff work on it?”."
    assert services.save_draft(s.application, _complete(s, amount_requested_cents=60_000_00), s.user).problems == {}
    with pytest.raises(services.Incomplete) as refused:
        services.submit(s.application, s.user)
    assert refused.value.problems == {
        "amount_requested": "Your budget lines add up to $50,000.00, but you request $60,000.00. Make them match."}
    services.save_draft(s.application, _complete(s), s.user)
    assert services.submit(s.application, s.user) is True
    assert services.submit(s.application, s.user) is False  # once
    db.session.commit()
    assert _fresh(s.application.id).status == SUBMITTED


def test_uploads_are_plain_objects(started):
    s = started
    db.session.add(CustomQuestion(program=s.program, position=2, key="letter", label="Letter of support",
                                  kind="file", required=True))
    db.session.commit()
    data = _complete(s, answers={"staff": "4", "story": "", "letter": None})
    with pytest.raises(services.Incomplete) as refused:
        services.submit(s.application, s.user, data)
    assert refused.value.problems == {"q_letter": "Attach a file for “Letter of support”."}
    bad = services.save_draft(s.application, _complete(
        s, attachment=Upload("notes.pdf", io.BytesIO(files.html())),
        answers={"staff": "4", "letter": Upload("letter.pdf", io.BytesIO(files.pdf()), "application/pdf")}), s.user)
    assert set(bad.problems) == {"attachment"} and "web page" in bad.problems["attachment"]
    assert [a.original_name for a in bad.stored] == ["letter.pdf"]
    db.session.commit()
    assert services.submit(s.application, s.user) is True  # the stored file answers the question
    db.session.commit()
    stored = db.session.execute(select(Attachment)).scalars().all()
    assert [(a.original_name, a.question_id is not None) for a in stored] == [("letter.pdf", True)]
