"""Forms of the decisions area: the decision (award with an amount in dollars, decline or
waitlist, with a rationale and, when asked for, a reason), and the release of decisions."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, StopValidation

from forms.base import BaseForm
from forms.fields import MoneyField, MultiCheckboxField, WholeNumberField
from grantflow.decisions.models import AWARD, DECLINE, WAITLIST
from grantflow.decisions.release import NOW, SCHEDULE

OUTCOME_CHOICES = [(AWARD, _l("Award")), (DECLINE, _l("Decline")), (WAITLIST, _l("Waitlist"))]


class DecisionForm(BaseForm):
    outcome = RadioField(_l("Decision"), choices=OUTCOME_CHOICES,
                         validators=[InputRequired(_l("Choose award, decline or waitlist."))])
    amount = MoneyField(_l("Amount to award (dollars)"),
                        description=_l("Only for an award: between the program's minimum and maximum, "
                                    "and not more than the amount requested."))
    rationale = TextAreaField(_l("Rationale"), description=_l("Why this decision; kept in the audit trail."),
                              validators=[InputRequired(_l("Give the rationale for this decision.")),
                                          Length(max=5000)])
    reason_without_review = TextAreaField(
        _l("Reason to award without a complete review"), validators=[Optional(), Length(max=2000)],
        description=_l("Only when the application's reviews are not all in; kept in the audit trail."))
    change_reason = TextAreaField(
        _l("Reason for the change (sent to the applicant)"), validators=[Optional(), Length(max=2000)],
        description=_l("Only when the decision was already released: the applicant is told what changed, and why."))

    def validate_amount(self, field):
        if self.outcome.data == AWARD and field.data is None and not field.errors:
            raise StopValidation(_("Enter the amount to award."))


class ReleaseForm(BaseForm):
    outcomes = MultiCheckboxField(_l("Decisions to release"), choices=[
        (AWARD, _l("Awards")), (DECLINE, _l("Declines")), (WAITLIST, _l("Waitlist places"))],
        validators=[InputRequired(_l("Choose which decisions to release."))])
    when = RadioField(_l("When"), default=NOW, choices=[
        (NOW, _l("Now (after a short hold, during which it can be undone)")),
        (SCHEDULE, _l("On the program's release date"))],
        validators=[InputRequired(_l("Choose to release now or on the program's release date."))])
    count = WholeNumberField(_l("Number of applicants to tell"), validators=[
        InputRequired(_l("Type the number of applicants this release will tell, to confirm."))],
        description=_l("Type the number shown above, to confirm."))
    reason = TextAreaField(_l("Reason for releasing before applications close"), validators=[
        Optional(), Length(max=2000)], description=_l("Needed only while applications are still open; it is recorded."))
