"""Custom questions: add, edit, reorder, remove on the page, with the applicant's preview."""
from __future__ import annotations

from decimal import Decimal

from grantflow.applications.models import Answer
from grantflow.core.db import db


def _labels(program):
    db.session.expire_all()
    return [q.label for q in program.questions]


def test_add_every_kind_and_preview(world, login):
    officer = login(world.users["program_officer"])
    url = "/programs/health-2026/questions"
    posts = [
        {"label": "Partner name", "kind": "short_text", "required": "y"},
        {"label": "Tell your story", "kind": "long_text", "word_limit": "250", "help_text": "Plain words."},
        {"label": "Volunteers", "kind": "number", "min_value": "0", "max_value": "500"},
        {"label": "Main focus", "kind": "single_choice", "options": "Housing\nFood\n\nHousing"},
        {"label": "Methods", "kind": "multiple_choice", "options": "Survey\nListening session"},
        {"label": "Start date", "kind": "date"},
        {"label": "Support letter", "kind": "file"},
    ]
    for data in posts:
        r = officer.post(url, data=data)
        assert r.status_code == 302, r.get_data(as_text=True)
    qs = world.program.questions
    assert [q.kind for q in qs] == ["short_text", "long_text", "number", "single_choice", "multiple_choice",
                                    "date", "file"]
    assert [q.key for q in qs][:2] == ["partner_name", "tell_your_story"]
    assert qs[1].word_limit == 250 and qs[2].min_value == Decimal(0) and qs[2].max_value == Decimal(500)
    assert qs[3].options == ["Housing", "Food"]
    page = officer.get(url).get_data(as_text=True)
    assert "Preview: what applicants see" in page
    assert 'id="preview-q_partner_name"' in page and 'type="file"' in page and "At most 250 words." in page


def test_bad_question_definitions_are_refused_at_the_field(world, login):
    officer = login(world.users["program_officer"])
    url = "/programs/health-2026/questions"
    r = officer.post(url, data={"label": "Pick", "kind": "single_choice", "options": "Only one"})
    assert r.status_code == 422 and "Write at least two choices, one per line." in r.get_data(as_text=True)
    r = officer.post(url, data={"label": "Story", "kind": "long_text", "word_limit": "many"})
    html = r.get_data(as_text=True)
    assert "Enter a whole number, like 3." in html and 'value="many"' in html
    r = officer.post(url, data={"label": "N", "kind": "number", "min_value": "10", "max_value": "5"})
    assert "The largest number must not be smaller than the smallest." in r.get_data(as_text=True)
    r = officer.post(url, data={"label": "q" * 301, "kind": "bogus"})
    html = r.get_data(as_text=True)
    assert "Use at most 300 characters." in html and "Not a valid choice" in html
    assert world.program.questions == []


def test_edit_reorder_remove_and_escaping(world, login):
    officer = login(world.users["program_officer"])
    url = "/programs/health-2026/questions"
    for label in ("First", "Second", "Third"):
        officer.post(url, data={"label": label, "kind": "short_text"})
    qs = world.program.questions
    officer.post(f"{url}/{qs[2].id}/move", data={"direction": "up"})
    assert _labels(world.program) == ["First", "Third", "Second"]
    officer.post(f"{url}/{qs[0].id}/move", data={"direction": "up"})  # already first: nothing changes
    assert _labels(world.program) == ["First", "Third", "Second"]
    r = officer.post(f"{url}/{qs[0].id}", data={"label": "<img src=x onerror=alert(1)>", "kind": "long_text",
                                                "word_limit": "100"})
    assert r.status_code == 302
    q = world.program.questions[0]
    assert q.key == "first" and q.kind == "long_text"  # the answer key survives relabelling
    page = officer.get(url).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    officer.post(f"{url}/{qs[1].id}/remove")
    assert _labels(world.program) == ["<img src=x onerror=alert(1)>", "Third"]
    assert [q.position for q in world.program.questions] == [0, 1]


def test_a_question_with_submitted_answers_is_kept(world, login):
    officer = login(world.users["program_officer"])
    officer.post("/programs/health-2026/questions", data={"label": "Why now?", "kind": "short_text"})
    q = world.program.questions[0]
    db.session.add(Answer(application_id=world.application.id, question_id=q.id, value="Because."))
    db.session.commit()
    r = officer.post(f"/programs/health-2026/questions/{q.id}/remove", follow_redirects=True)
    assert "cannot be removed" in r.get_data(as_text=True)
    assert _labels(world.program) == ["Why now?"]


def test_questions_of_another_program_are_not_found(world, login):
    from tests import factories as F

    officer = login(world.users["program_officer"])
    other = F.program(world.funder, slug="second")
    officer.post("/programs/second/questions", data={"label": "Elsewhere", "kind": "date"})
    qid = other.questions[0].id
    assert officer.get(f"/programs/health-2026/questions/{qid}").status_code == 404
    hilltop = login(world.users["other_officer"])
    assert hilltop.post(f"/programs/second/questions/{qid}/remove").status_code == 404
    assert _labels(other) == ["Elsewhere"]
