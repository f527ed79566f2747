"""WTForms built at request time from a program's stored custom-question definitions.

The program officer defines questions (`CustomQuestion` rows); applicants answer them inside the
application form. `build_answer_form` turns the definitions into a form so answers are rendered by
the shared field macro; what makes an answer valid (required, word limit, number range, choices,
dates) is `grantflow.programs.answers`, which the form's validators call. Stored answers are
plain JSON values keyed by the question's `key`; `answers_from_form` gives them back in that shape.

Field names are `q_<key>` (see `field_name`) so they never collide with the application form's
own fields. File questions are a `FileField`: the attachment service checks the file's content.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Optional, StopValidation, ValidationError

from forms.base import BaseForm
from forms.fields import DecimalNumberField, MultiCheckboxField, PlainDateField
from grantflow.core.translations import localized
from grantflow.programs import answers
from grantflow.programs.answers import number_text
from grantflow.programs.models import option_field


def field_name(question) -> str:
    """The form field name of a question (its stored key, prefixed)."""
    return f"q_{question.key}"


class Required:
    """The question must be answered (a file question: unless a file was already uploaded)."""

    def __init__(self, q, already: bool = False):
        self.q, self.already = q, already
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if self.q.kind == "file":
            empty = not self.already and not getattr(field.data, "filename", None)
        else:
            empty = answers.is_empty(answer_value(self.q, field.data))
        if empty:
            raise StopValidation(answers.missing(self.q))


class Check:
    """The answer's checks (`grantflow.programs.answers.problem`), once what was typed parsed."""

    def __init__(self, q):
        self.q = q

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        message = answers.problem(self.q, answer_value(self.q, field.data))
        if message:
            raise ValidationError(message)


def _description(q) -> Markup:
    """The question's help (its source text marked `lang` on a page in another language), then
    what the answer must be."""
    parts = [_shown(q, "help_text")]
    if q.kind == "long_text" and q.word_limit:
        parts.append(ngettext("At most %(num)d word.", "At most %(num)d words.", int(q.word_limit)))
    if q.kind == "number":
        lo, hi = q.min_value, q.max_value
        if lo is not None and hi is not None:
            parts.append(_("A number from %(low)s to %(high)s.", low=number_text(lo), high=number_text(hi)))
        elif lo is not None:
            parts.append(_("A number of at least %(low)s.", low=number_text(lo)))
        elif hi is not None:
            parts.append(_("A number no more than %(high)s.", high=number_text(hi)))
    if q.kind == "date":
        parts.append(_("Format: YYYY-MM-DD."))
    if q.kind == "multiple_choice":
        parts.append(_("Choose all that apply."))
    return Markup(" ").join(p for p in parts if p)


def _shown(q, field: str):
    """The funder's text in the page's language where it gave one; else its own, marked `lang`."""
    return localized(q, field).marked


def _choices(q) -> list[tuple[str, Any]]:
    """(stored value, label shown) of a choice question: the answer keeps the value as the funder
    wrote it, whatever language the label is read in."""
    return [(value, _shown(q, option_field(value)) or label) for value, label in answers.choices(q.options)]


def _make_field(q, enforce_required: bool, has_stored_file: bool):
    label, desc, kind = _shown(q, "label"), _description(q), q.kind
    first = [Required(q, has_stored_file)] if q.required and enforce_required else [Optional()]
    validators = first + ([Check(q)] if kind != "file" else [])
    if kind == "short_text":
        return StringField(label, description=desc, validators=validators,
                           render_kw={"data-limit-chars": answers.SHORT_TEXT_MAX})
    if kind == "long_text":
        limit = ({"data-limit-words": int(q.word_limit)} if q.word_limit
                 else {"data-limit-chars": answers.LONG_TEXT_MAX_CHARS})
        return TextAreaField(label, description=desc, validators=validators, render_kw=limit)
    if kind == "number":
        return DecimalNumberField(label, description=desc, example=_("12 or 12.5"), validators=validators,
                                  render_kw={"inputmode": "decimal"})
    if kind == "date":
        return PlainDateField(label, description=desc, validators=validators)
    if kind == "single_choice":
        return RadioField(label, description=desc, choices=_choices(q), validate_choice=False,
                          validators=validators)
    if kind == "multiple_choice":
        return MultiCheckboxField(label, description=desc, choices=_choices(q),
                                  validate_choice=False, validators=validators)
    if kind == "file":
        return FileField(label, description=desc, validators=validators)
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


def answer_value(q, data) -> Any:
    """A field's parsed data as the JSON value stored for question `q` (files: the upload object,
    left for the attachment service to store; None when nothing was uploaded)."""
    if q.kind == "number":
        return None if data is None else number_text(data)
    if q.kind == "date":
        return None if data is None else data.isoformat()
    if q.kind == "multiple_choice":
        return list(data or [])
    if q.kind == "file":
        return data if getattr(data, "filename", None) else None
    return data if data not in ("",) else None


def answers_from_form(form, questions=None) -> dict[str, Any]:
    """The form's answers as JSON-ready values keyed by question key."""
    return {q.key: answer_value(q, form[field_name(q)].data)
            for q in (questions if questions is not None else form.questions)}
