"""Forms of what follows an award: the payment schedule, a payment, a hold or cancellation, the
reports required and their review, the Schedule H class, and the year of a funder's reports.

The forms only read what was typed; the checks of the values (the schedule adds up to the award,
a payment is not in the future…) are the service's (grantflow/awards), whose problems the pages
show next to these fields.
"""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forms.base import BaseForm, SubForm, bind_containers_unfiltered
from forms.fields import MoneyField, PlainDateField, WholeNumberField
from grantflow.awards import models as M
from grantflow.awards import scheduleh
from grantflow.awards.reports import KINDS
from grantflow.awards.schedules import PER_YEAR

REPORT_PREFIX = "report:"
MAX_ROWS = 60


def condition_choices(reports) -> list[tuple[str, str]]:
    """None, the agreement, or one of the award's interim and final reports (`report:<id>`)."""
    return [(M.NO_CONDITION, "No condition"), (M.AGREEMENT_SIGNED, "On signing the agreement")] + [
        (f"{REPORT_PREFIX}{r.report.id}", f"After the {r.title[0].lower() + r.title[1:]} is accepted") for r in reports]


def parse_condition(value: str) -> tuple[str, int | None]:
    if value.startswith(REPORT_PREFIX):
        return M.REPORT_ACCEPTED, int(value[len(REPORT_PREFIX):])
    return value, None


def condition_value(instalment) -> str:
    if instalment.condition == M.REPORT_ACCEPTED and instalment.condition_report_id is not None:
        return f"{REPORT_PREFIX}{instalment.condition_report_id}"
    return instalment.condition if instalment.condition != M.REPORT_ACCEPTED else M.NO_CONDITION


class InstalmentRowForm(SubForm):
    id = HiddenField()
    amount = MoneyField("Amount ($)")
    due_on = PlainDateField("Due date", validators=[Optional()], description="As YYYY-MM-DD.")
    condition = SelectField("Condition", choices=[])
    remove = BooleanField("Remove this instalment")


class ScheduleForm(BaseForm):
    class Meta:
        bind_field = bind_containers_unfiltered

    rows = FieldList(FormField(InstalmentRowForm), min_entries=0, max_entries=MAX_ROWS)

    def set_choices(self, choices) -> None:
        for entry in self.rows.entries:
            entry.form.condition.choices = choices

    def row_id(self, entry) -> int | None:
        """The instalment an entry edits; an id that is not a number is a new row."""
        value = (entry.form.id.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None


class SpreadForm(BaseForm):
    first_due = PlainDateField("First instalment due", validators=[Optional()], description="As YYYY-MM-DD.")
    years = WholeNumberField("Over how many years", example="2")
    per_year = SelectField("Instalments a year", coerce=int, default=2,
                           choices=[(n, str(n)) for n in PER_YEAR])
    first_condition = SelectField("The first instalment is paid", default=M.AGREEMENT_SIGNED,
                                  choices=[(M.AGREEMENT_SIGNED, "On signing the agreement"),
                                           (M.NO_CONDITION, "On its date, with no condition")])


class PaymentForm(BaseForm):
    paid_on = PlainDateField("Date paid", validators=[Optional()], description="As YYYY-MM-DD.")
    method = SelectField("How it was paid", choices=[("", "Choose…")] + list(M.METHODS))
    reference = StringField("Reference", description="The check number or transfer reference, if any.",
                            validators=[Length(max=120, message="Keep the reference under 120 characters.")])


class HoldForm(BaseForm):
    reason = TextAreaField("Why it is on hold", validators=[Length(max=2000)])


class CancelForm(BaseForm):
    reason = TextAreaField("Why it is cancelled", validators=[Length(max=2000)])
    move_to = SelectField("Move its amount to", choices=[], description="The schedule must still add up to "
                          "the award: choose the instalment that takes this amount, unless the award itself "
                          "was reduced by it.")


class AddReportForm(BaseForm):
    kind = SelectField("Report", choices=[("", "Choose…")] + list(KINDS))
    due_on = PlainDateField("Due date", validators=[Optional()], description="As YYYY-MM-DD.")


class ReviewForm(BaseForm):
    decision = RadioField("Your review", choices=[("accept", "Accept the report"),
                                                  ("changes", "Ask for changes")],
                          validators=[InputRequired("Choose accept or ask for changes.")])
    note = TextAreaField("Note to the grantee", description="Required when you ask for changes: say what "
                         "should change.", validators=[Length(max=4000)])


class ConversationForm(BaseForm):
    held_on = PlainDateField("Day of the conversation", validators=[Optional()], description="As YYYY-MM-DD.")
    notes = TextAreaField("What you heard", description="It stands in for the written report and is kept "
                          "with the award.", validators=[Length(max=4000)])


class ProgramScheduleHForm(BaseForm):
    schedule_h = SelectField("Schedule H line of this program's grants", choices=scheduleh.choices())


class AwardScheduleHForm(BaseForm):
    schedule_h = SelectField("Schedule H line of this award", choices=[("", "The program's line")]
                             + scheduleh.choices())


class YearForm(BaseForm):
    class Meta:
        csrf = False

    year = WholeNumberField("Tax year", example="2026",
                            validators=[Optional(), NumberRange(min=1990, max=2100,
                                                                message="Enter a year from 1990 to 2100.")])
