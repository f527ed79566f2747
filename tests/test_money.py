"""Parsing typed dollars into cents: plain amounts are read exactly; exponents, fractions of a cent,
non-numbers and amounts past the documented maximum are refused with a message, never rounded."""
from __future__ import annotations

import pytest

from grantflow.core.money import MAX_CENTS, MoneyError, dollars_to_cents, format_money


@pytest.mark.parametrize("text,cents", [
    ("40000", 40_000_00), ("$40,000.00", 40_000_00), ("40,000.5", 40_000_50), (" $ 25000.50 ", 25_000_50),
    ("0", 0), ("0.01", 1), (".5", 50), ("-12.30", -12_30), ("1,000.990", 1_000_99), ("1000.", 1_000_00),
    (f"{MAX_CENTS // 100}", MAX_CENTS),
])
def test_plain_amounts_are_read_exactly(text, cents):
    assert dollars_to_cents(text) == cents


def test_empty_is_no_amount():
    assert dollars_to_cents("") is None and dollars_to_cents(None) is None


@pytest.mark.parametrize("text,message", [
    ("1e9", "Write the amount in digits"), ("1E9", "Write the amount in digits"),
    ("2.5e-1", "Write the amount in digits"),
    ("$1,000.999", "at most two digits after the decimal point"),
    ("0.001", "at most two digits after the decimal point"),
    ("9" * 40, "That amount is too large"), (f"{MAX_CENTS // 100 + 1}", "That amount is too large"),
    ("-" + "9" * 40, "That amount is too large"),
    ("lots", "Enter an amount in dollars"), ("NaN", "Enter an amount in dollars"),
    ("Infinity", "Enter an amount in dollars"), ("1e309", "Write the amount in digits"),
    ("٣٠٠", "Enter an amount in dollars"), ("1 000", "Enter an amount in dollars"),
    ("12.3.4", "Enter an amount in dollars"), ("$", "Enter an amount in dollars"), ("\x00", "Enter an amount"),
])
def test_odd_amounts_are_refused_with_a_message(text, message):
    with pytest.raises(MoneyError) as exc:
        dollars_to_cents(text)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_the_maximum_is_stated_in_the_message():
    with pytest.raises(MoneyError) as exc:
        dollars_to_cents("9" * 30)
    assert format_money(MAX_CENTS, whole=True) in str(exc.value)
    assert MAX_CENTS < 2**63 // 1000  # a thousand such amounts still sum within a 64-bit column


# --- amounts typed on a page, in the page's language ------------------------------------------------

@pytest.mark.parametrize("language,text,cents", [
    ("en", "25,000", 25_000_00), ("en", "$40,000.50", 40_000_50), ("en", "40000", 40_000_00),
    ("en", "1,234,567.8", 1_234_567_80),
    # Spanish writes 230.000 for two hundred thirty thousand, and 18.750,50 with a decimal comma.
    ("es", "230.000", 230_000_00), ("es", "18.750,50", 18_750_50), ("es", "20000,5", 20_000_50),
    ("es", "5000", 5_000_00), ("es", "1.234.567", 1_234_567_00), ("es", "230.000 US$", 230_000_00),
    ("es", "$ 75.000", 75_000_00),
])
def test_a_typed_amount_reads_as_the_page_writes_it(app, language, text, cents):
    from grantflow.core.i18n import in_language
    from grantflow.core.money import typed_dollars_to_cents

    with in_language(language):
        assert typed_dollars_to_cents(text) == cents


@pytest.mark.parametrize("language,text", [
    # What could be read two ways is refused, never read the other way: "20000,50" on an English
    # page (was $2,000,050), "25,000" or "20.5" on a Spanish one.
    ("en", "20000,50"), ("en", "1,0000"), ("en", "25.000,50"),
    ("es", "25,000"), ("es", "20.5"), ("es", "40,000.50"), ("es", "1.0000"),
])
def test_a_typed_amount_that_could_be_misread_is_refused(app, language, text):
    from grantflow.core.i18n import in_language
    from grantflow.core.money import typed_dollars_to_cents

    with in_language(language), pytest.raises(MoneyError) as exc:
        typed_dollars_to_cents(text)
    assert str(exc.value)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("cents", [0, 5_000_00, 230_000_00, 18_750_50, 1_234_567_89])
def test_a_money_field_shows_what_it_reads_back(app, language, cents):
    """The field shows a stored amount in the page's language, and reading it back gives the
    same cents: saving a form unchanged never changes an amount."""
    from werkzeug.datastructures import MultiDict

    from forms.base import BaseForm
    from forms.fields import MoneyField
    from grantflow.core.i18n import in_language

    class F(BaseForm):
        amount = MoneyField("Amount")

    with app.test_request_context(), in_language(language):
        shown = F(meta={"csrf": False}, data={"amount": cents}).amount._value()
        again = F(MultiDict({"amount": shown}), meta={"csrf": False})
        assert again.validate(), again.errors
        assert again.amount.data == cents, shown
