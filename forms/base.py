"""The base form: CSRF from Flask-WTF, and surrounding white space stripped from every text field.

A field declared with `raw=True` (passwords) keeps its value exactly as typed. `RowList` is the
FieldList of repeated rows.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields import FieldList
from wtforms.fields.core import UnboundField

from grantflow.core.inputs import row_index


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


class RowList(FieldList):
    """Repeated rows ("budget-0-amount", "budget-1-amount"), reading only plain row numbers from the
    field names: WTForms' own reading takes any str.isdigit() text, and int("²") then raises."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = row_index(key[offset:].split(self._field_separator, 1)[0])
                if index is not None:
                    yield index
