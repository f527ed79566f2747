"""Every custom field type of GrantFlow's forms, defined once.

Each field parses what was typed into a plain value (`data`) and keeps the typed text in
`raw_data`, so a field that does not parse is shown again exactly as typed with a message that
says what to type. Parse errors are raised from `process_formdata` (WTForms keeps them in
`process_errors` and reports them at `validate`), so no field needs a manual validation step.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from wtforms import (
    DateField, DateTimeLocalField, DecimalField, Field, FloatField, IntegerField, SelectMultipleField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from grantflow.core.i18n import format_number
from grantflow.core.inputs import MAX_ID, MIN_INT, plain_decimal, row_index
from grantflow.core.money import cents_to_dollars, typed_dollars_to_cents
from grantflow.core.timeutil import YEAR_RANGE_MESSAGE, year_in_range
from grantflow.scoring.rules import format_mapping


class _Parsed:
    """A field whose `data` is `parse(text)` of what was typed, stripped (None when nothing was);
    `parse` raises ValueError with the message to show."""

    def parse(self, text: str):
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or valuelist[0] is None or not str(valuelist[0]).strip():
            return
        self.data = self.parse(str(valuelist[0]).strip())


class MultiCheckboxField(SelectMultipleField):
    """Select-all-that-apply as a list of checkboxes (templates/macros/forms.html renders it as a
    fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MoneyField(_Parsed, Field):
    """Dollars typed as text ("25,000", "$25000.50"; "25.000" on a Spanish page); `data` is integer
    cents (None when empty), and it is shown as the page's language writes numbers.

    Parsing is `grantflow.core.money.typed_dollars_to_cents`, whose `MoneyError` message (no exponents,
    whole cents, at most `MAX_CENTS`) is shown at the field; an amount below zero is refused too."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        dollars = cents_to_dollars(self.data)  # as the page writes numbers, and reads them back
        return format_number(dollars, 0 if dollars == dollars.to_integral() else 2)

    def parse(self, text: str) -> int:
        cents = typed_dollars_to_cents(text)  # a MoneyError (a ValueError) says what to type
        if cents < 0:
            raise ValueError(_("Enter an amount of zero or more."))
        return cents


class WholeNumberField(_Parsed, IntegerField):
    """A whole number within what an INTEGER column holds (None when empty); the message gives an
    example (`example="7"`). Past the range it is refused here: NumberRange's float() overflows
    past 1e308."""

    def __init__(self, label=None, validators=None, *, example: str = "3", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example

    def parse(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(_("Enter a whole number, like %(example)s.", example=self.example)) from None
        if not MIN_INT <= value <= MAX_ID:
            raise ValueError(_("That number is too large."))
        return value


class DecimalNumberField(_Parsed, DecimalField):
    """A number in plain digits, exactly as a Decimal (thousands separators allowed; None when
    empty), with at most `max_places` digits after the point: what its column keeps, rather than
    silently rounded (`grantflow.core.inputs.plain_decimal`)."""

    def __init__(self, label=None, validators=None, *, example: str | None = None, max_places: int = 6,
                 **kwargs):
        kwargs.setdefault("places", None)
        super().__init__(label, validators, **kwargs)
        self.example, self.max_places = example, max_places

    def parse(self, text: str) -> Decimal:
        return plain_decimal(text, places=self.max_places, example=self.example or _("2 or 1.5"))


class FloatNumberField(_Parsed, FloatField):
    """A number whose parse error names the field ("Weight must be a number, like 0.5")."""

    def __init__(self, label=None, validators=None, *, title: str = "", whole: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.title = title or label
        self.whole = whole

    def parse(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            like = "10" if self.whole else format_number(0.5)
            raise ValueError(_("%(field)s must be a number, like %(example)s.", field=self.title, example=like)
                             if self.title else _("Enter a number, like %(example)s.", example=like)) from None


def _check_year(field) -> None:
    """A date or date-time within FIRST_YEAR–LAST_YEAR (`grantflow.core.timeutil`): near the ends
    of Python's calendar, converting a time to UTC overflows."""
    if field.data is not None and not year_in_range(field.data):
        field.data = None
        raise ValueError(YEAR_RANGE_MESSAGE)


class PlainDateField(DateField):
    """A date typed as YYYY-MM-DD."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a real date, like 2026-03-31.")) from None
        _check_year(self)


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock date and time (the view puts it in the program's zone)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                         **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date and time like 2026-03-31 17:00.")) from None
        _check_year(self)


class MappingField(TextAreaField):
    """`key = number` lines; a stored mapping is shown in that form."""

    def _value(self):
        if isinstance(self.data, dict):
            return format_mapping(self.data)
        return super()._value()


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
