"""The base form: CSRF from Flask-WTF, and surrounding white space stripped from every text field.

A field declared with `raw=True` (passwords) keeps its value exactly as typed. `SubForm` is the
base of forms nested in a FieldList. Field types live in `forms/fields.py`.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def render_with_counter(field, render_kw):
    """A length limit is announced, not enforced by the browser: no `maxlength` (which silently
    cuts pasted text) but `data-limit-chars`, which the field macro's counter reads; the server's
    check says at the field what is too long, and keeps all of it."""
    limit = getattr(field.flags, "maxlength", None)
    if limit:
        render_kw = {"data-limit-chars": limit, **render_kw, "maxlength": False}
    other = getattr(field, "render_kw", None)
    if other:
        render_kw = dict(other, **render_kw)
    return field.widget(field, **render_kw)


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

        def render_field(self, field, render_kw):
            return render_with_counter(field, render_kw)


class SubForm(Form):
    """A form nested in a FieldList: no CSRF of its own, text stripped like BaseForm."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_strip, *(unbound_field.kwargs.get("filters", []) or [])]
            return unbound_field.bind(form=form, filters=filters, **options)

        def render_field(self, field, render_kw):
            return render_with_counter(field, render_kw)


def bind_containers_unfiltered(meta, form, unbound_field, options):
    """Meta.bind_field for forms with FieldList/FormField, which refuse BaseForm's strip filter
    (their enclosed fields are stripped by SubForm instead)."""
    if issubclass(unbound_field.field_class, (FieldList, FormField)):
        return unbound_field.bind(form=form, **options)
    return BaseForm.Meta.bind_field(meta, form, unbound_field, options)
