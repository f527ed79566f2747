"""WTForms built at request time from a program's stored custom-question definitions.

The program officer defines questions (`CustomQuestion` rows); applicants answer them inside the
application form. `build_answer_form` turns the definitions into a form so answers are rendered by
the shared field macro and validated by WTForms (required, word limit, number range, choices,
dates). Stored answers are plain JSON values keyed by the question's `key`; `answers_from_form`
gives them back in that shape.

Field names are `q_<key>` (see `field_name`) so they never collide with the application form's
own fields. File questions are a `FileField`: the attachment service checks the file's content.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import BaseForm
from grantflow.core.inputs import plain_decimal
from grantflow.core.timeutil import YEAR_RANGE_MESSAGE, year_in_range

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX_CHARS = 20_000
_WORD = re.compile(r"\S+")


def field_name(question) -> str:
    """The form field name of a question (its stored key, prefixed)."""
    return f"q_{question.key}"


def count_words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered as a fieldset by the field macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnswerDecimalField(DecimalField):
    """A number field whose parse error says what to type; the typed text is kept for redisplay."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = plain_decimal(str(valuelist[0]), example="12 or 12.5")


class AnswerDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 2026-03-31.") from None
        if self.data is not None and not year_in_range(self.data):
            self.data = None
            raise ValueError(YEAR_RANGE_MESSAGE)


class WordLimit:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        n = count_words(field.data)
        if n > self.limit:
            raise ValidationError(f"Use at most {self.limit} words (you used {n}).")


class NumberBetween:
    def __init__(self, low: Decimal | None, high: Decimal | None):
        self.low, self.high = low, high

    def __call__(self, form, field):
        value = field.data
        if value is None:
            return
        if self.low is not None and value < self.low:
            raise ValidationError(f"Enter a number of at least {_num(self.low)}.")
        if self.high is not None and value > self.high:
            raise ValidationError(f"Enter a number no more than {_num(self.high)}.")


class FileRequired:
    """A file is required unless one was already uploaded (its stored answer is in `data`)."""

    def __init__(self, message: str, already: bool):
        self.message, self.already = message, already
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        if self.already:
            return
        data = field.data
        if not data or not getattr(data, "filename", None):
            raise StopValidation(self.message)


class ChoiceRequired:
    def __init__(self, message: str):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(self.message)


def _num(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _choices(options: Iterable[Any]) -> list[tuple[str, str]]:
    out = []
    for opt in options or []:
        if isinstance(opt, Mapping):
            value = str(opt.get("value", opt.get("label", "")))
            out.append((value, str(opt.get("label", value))))
        else:
            out.append((str(opt), str(opt)))
    return out


def _description(q) -> str:
    parts = [q.help_text or ""]
    if q.kind == "long_text" and q.word_limit:
        parts.append(f"At most {q.word_limit} words.")
    if q.kind == "number":
        lo, hi = q.min_value, q.max_value
        if lo is not None and hi is not None:
            parts.append(f"A number from {_num(lo)} to {_num(hi)}.")
        elif lo is not None:
            parts.append(f"A number of at least {_num(lo)}.")
        elif hi is not None:
            parts.append(f"A number no more than {_num(hi)}.")
    if q.kind == "date":
        parts.append("Format: YYYY-MM-DD.")
    if q.kind == "multiple_choice":
        parts.append("Choose all that apply.")
    return " ".join(p for p in parts if p).strip()


def _make_field(q, enforce_required: bool, has_stored_file: bool):
    label = q.label
    required = bool(q.required) and enforce_required
    missing = f"Answer “{label}”." if len(label) <= 80 else "Answer this question."
    presence = [InputRequired(missing)] if required else [Optional()]
    desc = _description(q)
    kind = q.kind
    if kind == "short_text":
        return StringField(label, description=desc, validators=presence + [
            Length(max=SHORT_TEXT_MAX, message=f"Use at most {SHORT_TEXT_MAX} characters.")])
    if kind == "long_text":
        validators = presence + [Length(max=LONG_TEXT_MAX_CHARS,
                                        message=f"Use at most {LONG_TEXT_MAX_CHARS:,} characters.")]
        if q.word_limit:
            validators.append(WordLimit(int(q.word_limit)))
        return TextAreaField(label, description=desc, validators=validators)
    if kind == "number":
        lo = Decimal(q.min_value) if q.min_value is not None else None
        hi = Decimal(q.max_value) if q.max_value is not None else None
        return AnswerDecimalField(label, description=desc, places=None,
                                  validators=presence + [NumberBetween(lo, hi)],
                                  render_kw={"inputmode": "decimal"})
    if kind == "date":
        return AnswerDateField(label, description=desc, validators=presence)
    if kind == "single_choice":
        return RadioField(label, description=desc, choices=_choices(q.options), validate_choice=True,
                          validators=[ChoiceRequired(f"Choose an answer to “{label}”.")] if required
                          else [Optional()])
    if kind == "multiple_choice":
        return MultiCheckboxField(label, description=desc, choices=_choices(q.options),
                                  validators=[ChoiceRequired(f"Choose at least one answer to “{label}”.")]
                                  if required else [Optional()])
    if kind == "file":
        return FileField(label, description=desc, validators=[
            FileRequired(f"Attach a file for “{label}”.", has_stored_file)] if required else [Optional()])
    raise ValueError(f"unknown question kind: {kind!r}")


def _to_field_data(q, value):
    """A stored JSON answer as the Python value its field expects."""
    if value is None or value == "":
        return None
    if q.kind == "number":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if q.kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    if q.kind == "multiple_choice":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if q.kind == "file":
        return None  # a stored file is a reference, not something a FileField can show
    return str(value)


def build_answer_form(questions, formdata=None, data=None, *, enforce_required: bool = True,
                      meta: Mapping | None = None, prefix: str = ""):
    """An instance of a FlaskForm subclass with one field per question, in the questions' order.

    questions: `CustomQuestion` rows (or objects with the same attributes).
    formdata: the request's form data (`request.form` merged with `request.files` for file
      questions, e.g. `CombinedMultiDict([request.form, request.files])`); None to show stored data.
    data: stored answers keyed by question key (JSON values, as `answers_from_form` returns).
    enforce_required=False validates formats only (for saving drafts).
    """
    questions = list(questions)
    stored = dict(data or {})

    class AnswerForm(BaseForm):
        pass

    for q in questions:
        setattr(AnswerForm, field_name(q), _make_field(q, enforce_required, bool(stored.get(q.key))))
    initial = {field_name(q): _to_field_data(q, stored.get(q.key)) for q in questions}
    kwargs: dict[str, Any] = {"prefix": prefix}
    if meta is not None:
        kwargs["meta"] = dict(meta)
    if formdata is None:
        form = AnswerForm(formdata=None, data=initial, **kwargs)
    else:
        form = AnswerForm(formdata=formdata, **kwargs)
    form.questions = questions
    return form


def answers_from_form(form, questions=None) -> dict[str, Any]:
    """The form's answers as JSON-ready values keyed by question key (files: the upload object,
    left for the attachment service to store; None when nothing was uploaded)."""
    out: dict[str, Any] = {}
    for q in (questions if questions is not None else form.questions):
        value = form[field_name(q)].data
        if q.kind == "number":
            value = None if value is None else _num(value)
        elif q.kind == "date":
            value = None if value is None else value.isoformat()
        elif q.kind == "multiple_choice":
            value = list(value or [])
        elif q.kind == "file":
            value = value if getattr(value, "filename", None) else None
        else:
            value = value if value not in ("",) else None
        out[q.key] = value
    return out
