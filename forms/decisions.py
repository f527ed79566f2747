"""Forms of the decisions area: the decision (award with an amount in dollars, decline or
waitlist, with a rationale and, when asked for, a reason), and the release of decisions."""
from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from forms.base import BaseForm
from forms.fields import MoneyField, MultiCheckboxField, WholeNumberField
from grantflow.decisions.models import AWARD, DECLINE, WAITLIST
from grantflow.decisions.release import NOW, SCHEDULE

OUTCOME_CHOICES = [(AWARD, "Award"), (DECLINE, "Decline"), (WAITLIST, "Waitlist")]


class DecisionForm(BaseForm):
    outcome = RadioField("Decision", choices=OUTCOME_CHOICES,
                         validators=[InputRequired("Choose award, decline or waitlist.")])
    amount = MoneyField("Amount to award (dollars)",
                        description="Only for an award: between the program's minimum and maximum, "
                                    "and not more than the amount requested.")
    rationale = TextAreaField("Rationale", description="Why this decision; kept in the audit trail.",
                              validators=[InputRequired("Give the rationale for this decision."),
                                          Length(max=5000)])
    reason_without_review = TextAreaField(
        "Reason to award without a complete review", validators=[Optional(), Length(max=2000)],
        description="Only when the application's reviews are not all in; kept in the audit trail.")
    change_reason = TextAreaField(
        "Reason for the change (sent to the applicant)", validators=[Optional(), Length(max=2000)],
        description="Only when the decision was already released: the applicant is told what changed, and why.")

    def validate_amount(self, field):
        if self.outcome.data == AWARD and field.data is None and not field.errors:
            raise StopValidation("Enter the amount to award.")


class ReleaseForm(BaseForm):
    outcomes = MultiCheckboxField("Decisions to release", choices=[
        (AWARD, "Awards"), (DECLINE, "Declines"), (WAITLIST, "Waitlist places")],
        validators=[InputRequired("Choose which decisions to release.")])
    when = RadioField("When", default=NOW, choices=[
        (NOW, "Now (after a short hold, during which it can be undone)"),
        (SCHEDULE, "On the program's release date")],
        validators=[InputRequired("Choose to release now or on the program's release date.")])
    count = WholeNumberField("Number of applicants to tell", validators=[
        InputRequired("Type the number of applicants this release will tell, to confirm.")],
        description="Type the number shown above, to confirm.")
    reason = TextAreaField("Reason for releasing before applications close", validators=[
        Optional(), Length(max=2000)], description="Needed only while applications are still open; it is recorded.")
