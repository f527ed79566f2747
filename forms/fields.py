"""Every custom field type of GrantFlow's forms, defined once.

Each field parses what was typed into a plain value (`data`) and keeps the typed text in
`raw_data`, so a field that does not parse is shown again exactly as typed with a message that
says what to type. Parse errors are raised from `process_formdata` (WTForms keeps them in
`process_errors` and reports them at `validate`), so no field needs a manual validation step.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import (
    DateField, DateTimeLocalField, DecimalField, Field, FloatField, IntegerField, SelectMultipleField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from grantflow.core.money import cents_to_dollars, dollars_to_cents
from grantflow.scoring.rules import format_mapping

MAX_MONEY_CENTS = 10**13  # $100 billion: anything above is a typo


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
    """Dollars typed as text ("25,000", "$25000.50"); `data` is integer cents (None when empty).

    Parsing is `grantflow.core.money.dollars_to_cents`; an amount below zero or above
    `MAX_MONEY_CENTS` is refused at the field."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        dollars = cents_to_dollars(self.data)
        return f"{dollars:,.0f}" if dollars == dollars.to_integral() else f"{dollars:,.2f}"

    def parse(self, text: str) -> int:
        try:
            cents = dollars_to_cents(text)
        except (ValueError, ArithmeticError):
            cents = None
        if cents is None:
            raise ValueError("Enter an amount in dollars, like 25,000 or 25000.50.")
        if cents < 0:
            raise ValueError("Enter an amount of zero or more.")
        if cents > MAX_MONEY_CENTS:
            raise ValueError("That amount is too large; check the number of digits.")
        return cents


class WholeNumberField(_Parsed, IntegerField):
    """A whole number (None when empty); the message gives an example (`example="7"`)."""

    def __init__(self, label=None, validators=None, *, example: str = "3", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example

    def parse(self, text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"Enter a whole number, like {self.example}.") from None


class DecimalNumberField(_Parsed, DecimalField):
    """A number, exactly as a Decimal (thousands separators allowed; None when empty)."""

    def __init__(self, label=None, validators=None, *, example: str = "2 or 1.5", **kwargs):
        kwargs.setdefault("places", None)
        super().__init__(label, validators, **kwargs)
        self.example = example

    def parse(self, text: str) -> Decimal:
        try:
            value = Decimal(text.replace(",", ""))
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite():
            raise ValueError(f"Enter a number, like {self.example}.")
        return value


class FloatNumberField(_Parsed, FloatField):
    """A number whose parse error names the field ("Weight must be a number, like 0.5")."""

    def __init__(self, label=None, validators=None, *, title: str = "", whole: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.title = title or (label if isinstance(label, str) else "This value")
        self.whole = whole

    def parse(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{self.title} must be a number, like {'10' if self.whole else '0.5'}.") from None


class PlainDateField(DateField):
    """A date typed as YYYY-MM-DD."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 2026-03-31.") from None


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock date and time (the view puts it in the program's zone)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                         **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date and time like 2026-03-31 17:00.") from None


class MappingField(TextAreaField):
    """`key = number` lines; a stored mapping is shown in that form."""

    def _value(self):
        if isinstance(self.data, dict):
            return format_mapping(self.data)
        return super()._value()
