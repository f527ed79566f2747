"""The form that registers a webhook endpoint."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from forms.base import BaseForm
from forms.fields import MultiCheckboxField
from grantflow.webhooks.models import EVENTS


class EndpointForm(BaseForm):
    url = StringField("Address (URL)", description="Where GrantFlow sends each event, by POST.",
                      validators=[InputRequired("Enter the endpoint's address."), Length(max=500)])
    description = StringField("Description", description="What receives it, e.g. “Salesforce”.",
                              validators=[Length(max=200)])
    events = MultiCheckboxField("Events to send", choices=list(EVENTS.items()),
                                validators=[InputRequired("Choose at least one event.")])
