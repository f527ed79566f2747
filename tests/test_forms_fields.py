"""Every custom field type lives in forms/fields.py, once, and each has one contract: `data` is the
parsed value, a parse error is raised while the form data is read (no manual validation step),
and the typed text is kept for redisplay."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from forms.fields import DecimalNumberField, MoneyField, MultiCheckboxField, WholeNumberField

FORMS = Path(__file__).resolve().parents[1] / "forms"


def _field_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)
            and any(isinstance(b, (ast.Name, ast.Attribute)) and (getattr(b, "id", None) or b.attr).endswith("Field")
                    for b in node.bases)]


def test_field_types_are_defined_only_in_fields_py():
    elsewhere = {p.name: _field_classes(p) for p in FORMS.glob("*.py") if p.name != "fields.py"}
    assert {name: classes for name, classes in elsewhere.items() if classes} == {}
    defined = _field_classes(FORMS / "fields.py")
    assert "MoneyField" in defined and "MultiCheckboxField" in defined
    assert len(defined) == len(set(defined))


class _Money(Form):
    amount = MoneyField("Amount ($)")
    count = WholeNumberField("Count", example="7")
    weight = DecimalNumberField("Weight")
    choices = MultiCheckboxField("Choices", coerce=int, choices=[(1, "One"), (2, "Two")])


@pytest.mark.parametrize("typed,cents", [("25,000", 25_000_00), ("$25000.50", 25_000_50), ("0", 0), ("", None),
                                         ("  ", None)])
def test_money_is_cents_as_soon_as_the_data_is_read(typed, cents):
    form = _Money(formdata=MultiDict({"amount": typed}))
    assert form.amount.data == cents and form.amount.process_errors == []
    assert form.validate()


@pytest.mark.parametrize("typed,message", [
    ("lots", "Enter an amount in dollars, like 25,000 or 25000.50."),
    ("-5", "Enter an amount of zero or more."),
    ("1" * 20, "That amount is too large (at most $10,000,000,000,000); check the number of digits."),
])
def test_bad_money_is_told_at_the_field_and_kept_as_typed(typed, message):
    form = _Money(formdata=MultiDict({"amount": typed}))
    assert form.amount.data is None and form.amount.process_errors == [message]
    assert not form.validate() and form.errors["amount"] == [message]
    assert f'value="{typed}"' in form.amount()


def test_stored_cents_are_shown_as_dollars():
    assert 'value="25,000"' in _Money(data={"amount": 25_000_00}).amount()
    assert 'value="25,000.50"' in _Money(data={"amount": 25_000_50}).amount()
    assert 'value=""' in _Money(data={"amount": None}).amount()


def test_numbers_say_what_to_type():
    form = _Money(formdata=MultiDict({"count": "seven", "weight": "1,5x"}))
    assert not form.validate()
    assert form.errors == {"count": ["Enter a whole number, like 7."], "weight": ["Enter a number, like 2 or 1.5."]}
    form = _Money(formdata=MultiDict({"count": " 7 ", "weight": "1,000.5"}))
    assert form.count.data == 7 and str(form.weight.data) == "1000.5"
    # A comma that is not a thousands separator is refused, never dropped ("12,5" was read as 125).
    for typed in ("12,5", "1,0000", "0,29"):
        form = _Money(formdata=MultiDict({"weight": typed}))
        assert not form.validate() and form.errors == {"weight": ["Enter a number, like 2 or 1.5."]}, typed


def test_multi_checkbox_renders_checkboxes():
    html = _Money(formdata=MultiDict([("choices", "2")])).choices()
    assert html.count('type="checkbox"') == 2
    assert re.search(r'<input checked id="choices-1" name="choices" type="checkbox" value="2">', html)
