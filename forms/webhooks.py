"""The form that registers a webhook endpoint."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from forms.base import BaseForm
from forms.fields import MultiCheckboxField
from grantflow.webhooks.models import EVENTS


class EndpointForm(BaseForm):
    url = StringField(_l("Address (URL)"), description=_l("Where GrantFlow sends each event, by POST."),
                      validators=[InputRequired(_l("Enter the endpoint's address.")), Length(max=500)])
    description = StringField(_l("Description"), description=_l("What receives it, e.g. “Salesforce”."),
                              validators=[Length(max=200)])
    events = MultiCheckboxField(_l("Events to send"), choices=list(EVENTS.items()),
                                validators=[InputRequired(_l("Choose at least one event."))])
