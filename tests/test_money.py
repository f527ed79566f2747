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
