"""The form that makes a personal API token."""
from __future__ import annotations

from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from forms.base import BaseForm
from forms.fields import WholeNumberField
from grantflow.api.models import READ, SCOPE_LABELS
from grantflow.api.tokens import NAME_MAX


class TokenForm(BaseForm):
    name = StringField("Name", description="What will use it, e.g. “Salesforce sync”.",
                       validators=[InputRequired("Give the token a name."), Length(max=NAME_MAX)])
    scope = RadioField("It may", default=READ, choices=list(SCOPE_LABELS.items()),
                       validators=[InputRequired("Choose read or write.")])
    expires = WholeNumberField("Expires after (days)", example="90",
                               validators=[InputRequired("Enter a number of days."),
                                           NumberRange(min=1, max=366, message="Choose between 1 and 366 days.")])
