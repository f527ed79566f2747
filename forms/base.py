"""The base form: CSRF from Flask-WTF, and surrounding white space stripped from every text field."""
from __future__ import annotations

from flask_wtf import FlaskForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []) or [])
            if not unbound_field.kwargs.get("raw", False):
                filters.insert(0, _strip)
            unbound_field.kwargs.pop("raw", None)
            return unbound_field.bind(form=form, filters=filters, **options)
