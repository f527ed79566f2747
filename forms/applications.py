"""The application form, and its translation to and from the applications service's plain data.

The form only reads what was typed (a field that does not parse keeps its text and says what to
type); every check of the values — formats on each save, completeness at submission — is the
service's (`grantflow.applications.drafts`), which returns problems keyed by field name, shown
here next to their fields. Field names are the service's field keys.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Optional

from forms.base import BaseForm, SubForm, bind_containers_unfiltered
from forms.fields import MoneyField, MultiCheckboxField, RowList
from forms.questions import answers_from_form
from grantflow.applications.attachments import ACCEPT
from grantflow.applications.drafts import (
    LONG_MAX, SUMMARY_MAX, TITLE_MAX, BudgetLineInput, DraftInput, OutcomeInput, Upload,
)
from grantflow.applications.metrics import metric_choices

_NOT_TYPED = {"csrf_token", "action", "submit_token", "attachment"}


class BudgetLineForm(SubForm):
    category = StringField(_l("Category"), description=_l("For example: staff, rent, supplies."))
    description = StringField(_l("What it pays for"))
    amount = MoneyField(_l("Amount ($)"))


class OutcomeForm(SubForm):
    metric = SelectField(_l("Metric"), choices=[], validate_choice=False)
    target = StringField(_l("Target"), description=_l("For example: 40 households by June 2027."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric.choices = {"": [("", _l("Choose a metric…"))], **metric_choices()}


class ApplicationForm(BaseForm):
    class Meta:
        bind_field = bind_containers_unfiltered

    title = StringField(_l("Project title"), render_kw={"data-limit-chars": TITLE_MAX})
    summary = TextAreaField(_l("Project summary"), description=_l("What you will do, with whom, and why."),
                            render_kw={"data-limit-chars": SUMMARY_MAX})
    needs = MultiCheckboxField(_l("Community health needs this project addresses"), coerce=int, choices=[],
                               validate_choice=False,
                               description=_l("From the funder's community health needs assessment. Choose all that apply."))
    places = MultiCheckboxField(_l("Places the project serves"), coerce=int, choices=[], validate_choice=False,
                                description=_l("Priority places are marked. Choose all that apply."))
    amount_requested = MoneyField(_l("Amount requested ($)"))
    budget = RowList(FormField(BudgetLineForm), label=_l("Budget"), min_entries=1, max_entries=50)
    outcomes = RowList(FormField(OutcomeForm), label=_l("Outcomes you will track"), min_entries=1, max_entries=20)
    community_voice = TextAreaField(
        _l("How the people you serve shape this work"),
        description=_l("For example: who decides priorities, how residents are paid for their time, "
                    "what you changed after hearing from them."),
        render_kw={"data-limit-chars": LONG_MAX})
    attachment = FileField(_l("Add a supporting document"), render_kw={"accept": ACCEPT},
                           validators=[Optional()])

    def budget_total_cents(self) -> int:
        return sum(e.form.amount.data or 0 for e in self.budget.entries)


def _fields(*forms):
    """(field key, field) of every leaf field of the forms, in page order; the rows of a FieldList
    are numbered in order (`budget-0-amount`, `budget-1-amount`...), as the service counts them."""
    for form in forms:
        for f in form:
            if isinstance(f, FieldList):
                for i, entry in enumerate(f.entries):
                    for sub in entry.form:
                        yield f"{f.name}-{i}-{sub.short_name}", sub
            else:
                yield f.name, f


def _upload(data) -> Upload | None:
    if data is None or not getattr(data, "filename", None):
        return None
    return Upload(data.filename, data.stream, getattr(data, "mimetype", "") or "")


def typed_values(*forms) -> dict[str, list[str]]:
    """Exactly what was typed, field name -> values (rows of a FieldList as `budget-0-amount`...)."""
    out: dict[str, list[str]] = {}
    for key, f in _fields(*forms):
        if f.short_name in _NOT_TYPED or f.type in ("FileField", "CSRFTokenField", "SubmitField"):
            continue
        if f.raw_data is not None:
            out[key] = [str(v) for v in f.raw_data if isinstance(v, (str, int, float))]
        elif f.type in ("MultiCheckboxField", "SelectMultipleField"):
            out[key] = [str(v) for v in (f.data or [])]
        elif f.type == "BooleanField":
            out[key] = ["y"] if f.data else []
        else:
            value = f._value() if hasattr(f, "_value") else f.data  # a select has no text of its own
            out[key] = [] if value is None else [str(value)]
    return out


def formdata_of(typed: dict | None) -> MultiDict | None:
    """A stored `typed_values` copy as form data (None when there is none)."""
    if not typed:
        return None
    return MultiDict([(k, v) for k, values in typed.items() for v in values])


def draft_input(form: ApplicationForm, answers) -> DraftInput:
    """The page's two forms as the service's input (uploads as plain `Upload`s)."""
    values = answers_from_form(answers)
    return DraftInput(
        title=form.title.data or "", summary=form.summary.data or "",
        community_voice=form.community_voice.data or "", amount_requested_cents=form.amount_requested.data,
        need_ids=tuple(form.needs.data or ()), place_ids=tuple(form.places.data or ()),
        budget=tuple(BudgetLineInput(e.form.category.data or "", e.form.description.data or "", e.form.amount.data)
                     for e in form.budget.entries),
        outcomes=tuple(OutcomeInput(e.form.metric.data or "", e.form.target.data or "")
                       for e in form.outcomes.entries),
        answers={q.key: _upload(values[q.key]) if q.kind == "file" else values[q.key] for q in answers.questions},
        attachment=_upload(form.attachment.data),
        unparsed=frozenset(key for key, f in _fields(form, answers) if f.process_errors),
        typed=typed_values(form, answers))


def form_data(data: DraftInput) -> dict:
    """The service's plain values as the application form's `data` (a stored draft shown again)."""
    return {
        "title": data.title, "summary": data.summary, "community_voice": data.community_voice,
        "amount_requested": data.amount_requested_cents, "needs": list(data.need_ids), "places": list(data.place_ids),
        "budget": [{"category": b.category, "description": b.description, "amount": b.amount_cents}
                   for b in data.budget],
        "outcomes": [{"metric": o.metric, "target": o.target} for o in data.outcomes],
    }


def session_expired(form) -> bool:
    """The page's own check: its CSRF token (every value is checked by the service)."""
    return "csrf_token" in form and not form.csrf_token.validate(form)


def show_problems(problems, *forms) -> None:
    """Puts on each field what it says about itself: its parse error, else the service's problem."""
    for key, f in _fields(*forms):
        if f.type == "CSRFTokenField":
            continue
        f.errors = list(f.process_errors) or ([problems[key]] if key in problems else [])


def flat_errors(*forms) -> list[tuple[str, str, str]]:
    """(field id, label, first message) of every field with an error, in page order."""
    out = []

    def walk(fields, row=None):
        for f in fields:
            if f.type == "CSRFTokenField":
                continue
            if isinstance(f, FieldList):
                for i, entry in enumerate(f.entries, 1):
                    walk(entry.form, (f.label.text, i))
            elif f.errors:
                fid = f.id + "-0" if f.type in ("MultiCheckboxField", "RadioField") else f.id
                msg = f.errors[0] if isinstance(f.errors, list) else str(f.errors)
                label = f.label.text if row is None else _("%(list)s line %(number)s: %(field)s", list=row[0],
                                                           number=row[1], field=f.label.text)
                out.append((fid, label, msg))

    for form in forms:
        walk(form)
    return out
