"""The base form: CSRF from Flask-WTF, and surrounding white space stripped from every text field.

A field declared with `raw=True` (passwords) keeps its value exactly as typed.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Work on a copy: the declared field is shared by every later instance of the form.
            kwargs = dict(unbound_field.kwargs)
            raw = kwargs.pop("raw", False)
            filters = list(kwargs.pop("filters", None) or [])
            if not raw:
                filters.insert(0, _strip)
            field = UnboundField(unbound_field.field_class, *unbound_field.args,
                                 name=unbound_field.name, filters=filters, **kwargs)
            return field.bind(form=form, **options)
