"""The form that makes a personal API token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from forms.base import BaseForm
from forms.fields import WholeNumberField
from grantflow.api.models import READ, SCOPE_LABELS
from grantflow.api.tokens import NAME_MAX


class TokenForm(BaseForm):
    name = StringField(_l("Name"), description=_l("What will use it, e.g. “Salesforce sync”."),
                       validators=[InputRequired(_l("Give the token a name.")), Length(max=NAME_MAX)])
    scope = RadioField(_l("It may"), default=READ, choices=list(SCOPE_LABELS.items()),
                       validators=[InputRequired(_l("Choose read or write."))])
    expires = WholeNumberField(_l("Expires after (days)"), example="90",
                               validators=[InputRequired(_l("Enter a number of days.")),
                                           NumberRange(min=1, max=366, message=_l("Choose between 1 and 366 days."))])
