"""Forms of what follows an award: the payment schedule, a payment, a hold or cancellation, the
reports required and their review, the Schedule H class, and the year of a funder's reports.

The forms only read what was typed; the checks of the values (the schedule adds up to the award,
a payment is not in the future…) are the service's (grantflow/awards), whose problems the pages
show next to these fields.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    return [(M.NO_CONDITION, _("No condition")), (M.AGREEMENT_SIGNED, _("On signing the agreement"))] + [
        (f"{REPORT_PREFIX}{r.report.id}", _("After the %(report)s is accepted", report=r.title[0].lower() + r.title[1:]))
        for r in reports]


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
    amount = MoneyField(_l("Amount ($)"))
    due_on = PlainDateField(_l("Due date"), validators=[Optional()], description=_l("As YYYY-MM-DD."))
    condition = SelectField(_l("Condition"), choices=[])
    remove = BooleanField(_l("Remove this instalment"))


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
    first_due = PlainDateField(_l("First instalment due"), validators=[Optional()], description=_l("As YYYY-MM-DD."))
    years = WholeNumberField(_l("Over how many years"), example="2")
    per_year = SelectField(_l("Instalments a year"), coerce=int, default=2,
                           choices=[(n, str(n)) for n in PER_YEAR])
    first_condition = SelectField(_l("The first instalment is paid"), default=M.AGREEMENT_SIGNED,
                                  choices=[(M.AGREEMENT_SIGNED, _l("On signing the agreement")),
                                           (M.NO_CONDITION, _l("On its date, with no condition"))])


class PaymentForm(BaseForm):
    paid_on = PlainDateField(_l("Date paid"), validators=[Optional()], description=_l("As YYYY-MM-DD."))
    method = SelectField(_l("How it was paid"), choices=[("", _l("Choose…"))] + list(M.METHODS))
    reference = StringField(_l("Reference"), description=_l("The check number or transfer reference, if any."),
                            validators=[Length(max=120, message=_l("Keep the reference under 120 characters."))])


class HoldForm(BaseForm):
    reason = TextAreaField(_l("Why it is on hold"), validators=[Length(max=2000)])


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Why it is cancelled"), validators=[Length(max=2000)])
    move_to = SelectField(_l("Move its amount to"), choices=[], description=_l("The schedule must still add up to "
                          "the award: choose the instalment that takes this amount, unless the award itself "
                          "was reduced by it."))


class AddReportForm(BaseForm):
    kind = SelectField(_l("Report"), choices=[("", _l("Choose…"))] + list(KINDS))
    due_on = PlainDateField(_l("Due date"), validators=[Optional()], description=_l("As YYYY-MM-DD."))


class ReviewForm(BaseForm):
    decision = RadioField(_l("Your review"), choices=[("accept", _l("Accept the report")),
                                                  ("changes", _l("Ask for changes"))],
                          validators=[InputRequired(_l("Choose accept or ask for changes."))])
    note = TextAreaField(_l("Note to the grantee"), description=_l("Required when you ask for changes: say what "
                         "should change."), validators=[Length(max=4000)])


class ConversationForm(BaseForm):
    held_on = PlainDateField(_l("Day of the conversation"), validators=[Optional()], description=_l("As YYYY-MM-DD."))
    notes = TextAreaField(_l("What you heard"), description=_l("It stands in for the written report and is kept "
                          "with the award."), validators=[Length(max=4000)])


class ProgramScheduleHForm(BaseForm):
    schedule_h = SelectField(_l("Schedule H line of this program's grants"), choices=scheduleh.choices())


class AwardScheduleHForm(BaseForm):
    schedule_h = SelectField(_l("Schedule H line of this award"), choices=[("", _l("The program's line"))]
                             + scheduleh.choices())


class YearForm(BaseForm):
    class Meta:
        csrf = False

    year = WholeNumberField(_l("Tax year"), example="2026",
                            validators=[Optional(), NumberRange(min=1990, max=2100,
                                                                message=_l("Enter a year from 1990 to 2100."))])
