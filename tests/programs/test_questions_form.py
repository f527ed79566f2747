"""The answer form built from stored custom-question definitions validates and re-shows answers."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict

from forms.questions import answers_from_form, build_answer_form, field_name
from grantflow.programs.answers import count_words


def Q(key, kind, label=None, required=False, options=(), word_limit=None, min_value=None, max_value=None,
      help_text=""):
    return SimpleNamespace(key=key, kind=kind, label=label or key.replace("_", " ").title(), required=required,
                           options=list(options), word_limit=word_limit, min_value=min_value,
                           max_value=max_value, help_text=help_text)


QUESTIONS = [
    Q("partner", "short_text", required=True),
    Q("story", "long_text", word_limit=5, required=True),
    Q("volunteers", "number", min_value=Decimal(0), max_value=Decimal(500)),
    Q("focus", "single_choice", options=["Housing", "Food"], required=True),
    Q("methods", "multiple_choice", options=["Survey", "Listening session", "Board seat"]),
    Q("start", "date"),
    Q("letter", "file", required=True),
]


@pytest.fixture
def ctx(app):
    with app.test_request_context("/", method="POST"):
        yield


def _form(values, files=None, data=None, **kw):
    md = MultiDict(values)
    fd = CombinedMultiDict([md, MultiDict(files or {})])
    return build_answer_form(QUESTIONS, formdata=fd, data=data, **kw)


def _upload():
    return FileStorage(io.BytesIO(b"%PDF-1.4 test"), filename="letter.pdf", content_type="application/pdf")


def test_valid_answers_round_trip_as_json_values(ctx):
    form = _form([("q_partner", " Main St Co-op "), ("q_story", "one two three"), ("q_volunteers", "12.5"),
                  ("q_focus", "Food"), ("q_methods", "Survey"), ("q_methods", "Board seat"),
                  ("q_start", "2026-03-31")], files={"q_letter": _upload()})
    assert form.validate(), form.errors
    answers = answers_from_form(form)
    assert answers["partner"] == "Main St Co-op"
    assert answers["volunteers"] == "12.5"
    assert answers["focus"] == "Food"
    assert answers["methods"] == ["Survey", "Board seat"]
    assert answers["start"] == "2026-03-31"
    assert answers["letter"].filename == "letter.pdf"
    # Stored answers shown again (no form data) come back into the fields.
    again = build_answer_form(QUESTIONS, data={k: v for k, v in answers.items() if k != "letter"})
    assert again["q_volunteers"].data == Decimal("12.5")
    assert again["q_start"].data == dt.date(2026, 3, 31)
    assert again["q_methods"].data == ["Survey", "Board seat"]
    html = str(again["q_partner"]())
    assert 'value="Main St Co-op"' in html


def test_every_rule_gives_a_message_at_its_field_and_keeps_what_was_typed(ctx):
    form = _form([("q_partner", ""), ("q_story", "one two three four five six seven"),
                  ("q_volunteers", "twelve"), ("q_focus", "Transit"), ("q_start", "2026-02-30")])
    assert not form.validate()
    e = form.errors
    assert e["q_partner"] == ["Answer “Partner”."]
    assert e["q_story"] == ["Use at most 5 words (you used 7)."]
    assert e["q_volunteers"] == ["Enter a number, like 12 or 12.5."]
    assert "q_focus" in e
    assert e["q_start"] == ["Enter a real date, like 2026-03-31."]
    assert e["q_letter"] == ["Attach a file for “Letter”."]
    assert "q_methods" not in e
    # Typed values are kept for redisplay.
    assert 'value="twelve"' in str(form["q_volunteers"]())
    assert 'value="2026-02-30"' in str(form["q_start"]())
    assert "one two three four five six seven" in str(form["q_story"]())


def test_number_range_and_bad_choice_in_multiple(ctx):
    form = _form([("q_partner", "x"), ("q_story", "ok"), ("q_volunteers", "501"), ("q_focus", "Food"),
                  ("q_methods", "Skywriting")], data={"letter": "attachment:1"})
    assert not form.validate()
    assert form.errors["q_volunteers"] == ["Enter a number no more than 500."]
    assert "q_methods" in form.errors
    # A file uploaded earlier satisfies a required file question.
    assert "q_letter" not in form.errors
    form = _form([("q_volunteers", "-1")], enforce_required=False)
    assert not form.validate()
    assert form.errors == {"q_volunteers": ["Enter a number of at least 0."]}


def test_drafts_skip_required_but_not_formats(ctx):
    form = _form([], enforce_required=False)
    assert form.validate(), form.errors
    assert answers_from_form(form)["partner"] is None


def test_html_is_escaped_when_redisplayed(ctx):
    form = _form([("q_partner", "<script>alert(1)</script>")])
    html = str(form["q_partner"]())
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_help_text_describes_limits_and_fields_are_in_question_order(ctx):
    form = build_answer_form(QUESTIONS)
    assert [f.name for f in form if f.name != "csrf_token"] == [field_name(q) for q in QUESTIONS]
    assert form["q_story"].description == "At most 5 words."
    assert form["q_volunteers"].description == "A number from 0 to 500."
    assert form["q_partner"].flags.required
    assert count_words("  a  b\nc ") == 3


def test_stored_question_rows_work(app, ctx):
    from grantflow.programs.models import CustomQuestion
    q = CustomQuestion(key="why", label="Why now?", kind="long_text", required=True, word_limit=3, options=[])
    form = build_answer_form([q], formdata=MultiDict({"q_why": "a b c d"}))
    assert not form.validate()
    assert form.errors["q_why"] == ["Use at most 3 words (you used 4)."]


@pytest.mark.parametrize("typed,message", [
    ("1e-999999999", "Enter a number, like 12 or 12.5."),  # its answer would be a billion digits long
    ("NaN", "Enter a number, like 12 or 12.5."), ("٣", "Enter a number, like 12 or 12.5."),
    ("9" * 400, "That number is too large."), ("1.1234567", "Use at most 6 digits after the decimal point."),
    ("2026-12-31x", "Enter a number, like 12 or 12.5."),
])
def test_numbers_are_plain_digits_within_limits(ctx, typed, message):
    form = _form([("q_volunteers", typed)], enforce_required=False)
    assert not form.validate()
    assert form.errors == {"q_volunteers": [message]}
    assert form["q_volunteers"]._value() == typed


@pytest.mark.parametrize("typed", ["9999-12-31", "1899-12-31", "0001-01-01"])
def test_dates_outside_1900_to_2200_are_refused(ctx, typed):
    form = _form([("q_start", typed)], enforce_required=False)
    assert not form.validate()
    assert form.errors == {"q_start": ["Enter a date between 1900 and 2200."]}
    assert form["q_start"]._value() == typed
