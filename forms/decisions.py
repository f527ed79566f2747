"""The decision form: award (an amount in dollars), decline or waitlist, with a rationale."""
from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation

from forms.base import BaseForm
from forms.fields import MoneyField
from grantflow.decisions.models import AWARD, DECLINE, WAITLIST


class DecisionForm(BaseForm):
    outcome = RadioField("Decision", choices=[(AWARD, "Award"), (DECLINE, "Decline"), (WAITLIST, "Waitlist")],
                         validators=[InputRequired("Choose award, decline or waitlist.")])
    amount = MoneyField("Amount to award (dollars)",
                        description="Only for an award: between the program's minimum and maximum, "
                                    "and not more than the amount requested.")
    rationale = TextAreaField("Rationale", description="Why this decision; kept in the audit trail.",
                              validators=[InputRequired("Give the rationale for this decision."),
                                          Length(max=5000)])

    def validate_amount(self, field):
        if self.outcome.data == AWARD and field.data is None and not field.errors:
            raise StopValidation("Enter the amount to award.")
