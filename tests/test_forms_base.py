"""The base form strips text fields but keeps `raw=True` fields (passwords) exactly as typed,
on every instance, not only the first."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField

from forms.base import BaseForm


class _Form(BaseForm):
    name = StringField("Name")
    secret = PasswordField("Secret", raw=True)


def test_strip_and_raw_hold_for_every_instance(app):
    with app.test_request_context():
        for _ in range(3):
            form = _Form(formdata=MultiDict({"name": "  Ana  ", "secret": " pw "}))
            assert form.name.data == "Ana"
            assert form.secret.data == " pw "
