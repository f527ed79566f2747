"""The application form. Its validators check formats only, so a draft can be saved at any time;
completeness (what a submission needs) is checked by `completeness_errors` in one pass, so every
missing field is reported at once, next to the field."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Length, Optional, ValidationError

from forms.base import BaseForm, RowList
from forms.organizations import MoneyField, MultiCheckboxField, SubForm, bind_containers_unfiltered
from grantflow.applications.attachments import ACCEPT
from grantflow.applications.metrics import METRICS, metric_choices
from grantflow.core.money import format_money

SUMMARY_MAX = 5000
LONG_MAX = 10000


class BudgetLineForm(SubForm):
    category = StringField("Category", description="For example: staff, rent, supplies.",
                           validators=[Length(max=80, message="Use at most 80 characters.")])
    description = StringField("What it pays for", validators=[Length(max=300, message="Use at most 300 characters.")])
    amount = MoneyField("Amount ($)")


class OutcomeForm(SubForm):
    metric = SelectField("Metric", choices=[], validate_choice=False)
    target = StringField("Target", description="For example: 40 households by June 2027.",
                         validators=[Length(max=300, message="Use at most 300 characters.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric.choices = {"": [("", "Choose a metric…")], **metric_choices()}

    def validate_metric(self, field):
        if field.data and field.data not in METRICS:
            raise ValidationError("Choose a metric from the list.")


class ApplicationForm(BaseForm):
    class Meta:
        bind_field = bind_containers_unfiltered

    title = StringField("Project title", validators=[Length(max=200, message="Use at most 200 characters.")])
    summary = TextAreaField("Project summary", description=f"What you will do, with whom, and why. "
                                                           f"At most {SUMMARY_MAX:,} characters.",
                            validators=[Length(max=SUMMARY_MAX, message=f"Use at most {SUMMARY_MAX:,} characters.")])
    needs = MultiCheckboxField("Community health needs this project addresses", coerce=int, choices=[],
                               description="From the funder's community health needs assessment. Choose all that apply.")
    places = MultiCheckboxField("Places the project serves", coerce=int, choices=[],
                                description="Priority places are marked. Choose all that apply.")
    amount_requested = MoneyField("Amount requested ($)")
    budget = RowList(FormField(BudgetLineForm), label="Budget", min_entries=1, max_entries=50)
    outcomes = RowList(FormField(OutcomeForm), label="Outcomes you will track", min_entries=1, max_entries=20)
    community_voice = TextAreaField(
        "How the people you serve shape this work",
        description="For example: who decides priorities, how residents are paid for their time, "
                    "what you changed after hearing from them.",
        validators=[Length(max=LONG_MAX, message=f"Use at most {LONG_MAX:,} characters.")])
    attachment = FileField("Add a supporting document", render_kw={"accept": ACCEPT},
                           validators=[Optional()])

    def budget_total_cents(self) -> int:
        return sum(e.form.amount.cents or 0 for e in self.budget.entries)


def add_error(field, message: str) -> None:
    field.errors = [*(field.errors or []), message]


def completeness_errors(form: ApplicationForm, program, *, has_needs: bool, has_places: bool) -> bool:
    """Adds a message to every field a submission still needs; True when something is missing."""
    missing = False

    def need(field, message):
        nonlocal missing
        if not field.errors:
            add_error(field, message)
        missing = True

    if not form.title.data:
        need(form.title, "Enter a project title.")
    if not form.summary.data:
        need(form.summary, "Enter a project summary.")
    if has_needs and not form.needs.data:
        need(form.needs, "Choose at least one community health need the project addresses.")
    if has_places and not form.places.data:
        need(form.places, "Choose at least one place the project serves.")
    amount = form.amount_requested
    if not amount.data:
        need(amount, "Enter the amount you request.")
    elif amount.cents is not None:
        lo, hi = program.min_award_cents or 0, program.max_award_cents or 0
        if amount.cents < lo or (hi and amount.cents > hi):
            need(amount, f"Request between {format_money(lo, whole=True)} and {format_money(hi, whole=True)}.")
    filled = 0
    for e in form.budget.entries:
        f = e.form
        if not (f.category.data or f.description.data or f.amount.data):
            continue
        filled += 1
        if not f.category.data:
            need(f.category, "Enter a category for this budget line.")
        if not f.amount.data:
            need(f.amount, "Enter the amount of this budget line.")
    if not filled:
        need(form.budget.entries[0].form.category, "Add at least one budget line.")
    elif amount.cents is not None and not form.budget.errors and not any(
            e.form.amount.errors for e in form.budget.entries):
        total = form.budget_total_cents()
        if total != amount.cents:
            need(amount, f"Your budget lines add up to {format_money(total)}, but you request "
                         f"{format_money(amount.cents)}. Make them match.")
    chosen = 0
    for e in form.outcomes.entries:
        f = e.form
        if not (f.metric.data or f.target.data):
            continue
        chosen += 1
        if not f.metric.data:
            need(f.metric, "Choose the metric this target is for.")
        if not f.target.data:
            need(f.target, "Enter the target for this metric.")
    if not chosen:
        need(form.outcomes.entries[0].form.metric, "Choose at least one outcome you will track.")
    if not form.community_voice.data:
        need(form.community_voice, "Tell us how the people you serve shape this work.")
    return missing


def flat_errors(*forms) -> list[tuple[str, str, str]]:
    """(field id, label, first message) of every field with an error, in page order."""
    out = []

    def walk(fields, prefix_label=""):
        for f in fields:
            if f.type == "CSRFTokenField":
                continue
            if isinstance(f, FieldList):
                for i, entry in enumerate(f.entries, 1):
                    walk(entry.form, f"{f.label.text} line {i}: ")
            elif f.errors:
                fid = f.id + "-0" if f.type in ("MultiCheckboxField", "RadioField") else f.id
                msg = f.errors[0] if isinstance(f.errors, list) else str(f.errors)
                out.append((fid, prefix_label + f.label.text, msg))

    for form in forms:
        walk(form)
    return out
