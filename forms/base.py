"""The base form: CSRF from Flask-WTF, and surrounding white space (and invisible characters) stripped
from every text field; a required text of nothing else is refused.

A field declared with `raw=True` (passwords) keeps its value exactly as typed. `SubForm` is the
base of forms nested in a FieldList. Field types live in `forms/fields.py`.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, StopValidation


# Invisible characters a pasted text can start or end with, which `str.strip` keeps.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _strip(value):
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    while stripped and (stripped[0] in _INVISIBLE or stripped[-1] in _INVISIBLE):
        stripped = stripped.strip(_INVISIBLE).strip()
    return stripped


class _RequiredText(InputRequired):
    """`InputRequired` that also refuses a text left empty once stripped: it looks at what was
    typed (raw_data), so a name of spaces passed it and was saved empty."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data:
            field.errors[:] = []
            raise StopValidation(self.message or field.gettext("This field is required."))


def _required_text(validators):
    return [(_RequiredText(v.message) if type(v) is InputRequired else v) for v in validators or ()]


def _bind_stripped(form, unbound_field, options):
    """Binds a field with its text stripped and required text checked (not a `raw=True` one).
    Works on a copy: the declared field is shared by every later instance of the form."""
    kwargs = dict(unbound_field.kwargs)
    raw = kwargs.pop("raw", False)
    filters = list(kwargs.pop("filters", None) or [])
    if not raw:
        filters.insert(0, _strip)
        kwargs["validators"] = _required_text(kwargs.get("validators"))
    field = UnboundField(unbound_field.field_class, *unbound_field.args,
                         name=unbound_field.name, filters=filters, **kwargs)
    return field.bind(form=form, **options)


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
            return _bind_stripped(form, unbound_field, options)

        def render_field(self, field, render_kw):
            return render_with_counter(field, render_kw)


class SubForm(Form):
    """A form nested in a FieldList: no CSRF of its own, text stripped like BaseForm."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            return _bind_stripped(form, unbound_field, options)

        def render_field(self, field, render_kw):
            return render_with_counter(field, render_kw)


def bind_containers_unfiltered(meta, form, unbound_field, options):
    """Meta.bind_field for forms with FieldList/FormField, which refuse BaseForm's strip filter
    (their enclosed fields are stripped by SubForm instead)."""
    if issubclass(unbound_field.field_class, (FieldList, FormField)):
        return unbound_field.bind(form=form, **options)
    return BaseForm.Meta.bind_field(meta, form, unbound_field, options)


def error_links(form) -> list[tuple[str, str, str]]:
    """(id of the field, what it is, its first message) of each field in error, for the summary at
    the top of a form: a field of a row (a FieldList of sub-forms) is named by its list and its
    row's number ("Feedback loops 1: How you ask for feedback") and linked to itself."""
    out = []
    for field in form:
        if not field.errors or field.name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            for number, entry in enumerate(field.entries, 1):
                inner = list(entry.form) if isinstance(entry, FormField) else [entry]
                for sub in inner:
                    if sub.errors and not isinstance(sub.errors, dict):
                        what = f"{field.label.text} {number}" + (f": {sub.label.text}" if sub is not entry else "")
                        out.append((sub.id, what, sub.errors[0]))
        elif isinstance(field, FormField):
            out += [(sub.id, f"{field.label.text}: {sub.label.text}", sub.errors[0])
                    for sub in field.form if sub.errors and not isinstance(sub.errors, dict)]
        else:
            out.append((field.id, field.label.text, field.errors[0]))
    return out
