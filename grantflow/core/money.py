"""Money is integer cents everywhere; these turn it into text and back."""
from __future__ import annotations

import re
from decimal import Decimal

from babel import numbers
from flask_babel import gettext as _

from grantflow.core.i18n import current_locale, format_currency
from grantflow.core.inputs import NUMBER

# The largest amount accepted anywhere ($10 trillion): past it a typed amount is a typo, and a
# thousand such amounts still sum within a 64-bit column.
MAX_CENTS = 10**15
_EXPONENT = re.compile(NUMBER.pattern + r"[eE][+-]?[0-9]+")


class MoneyError(ValueError):
    """Why a text is not an amount of money; its message is for the person who typed it."""


def cents_to_dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def dollars_to_cents(value) -> int | None:
    """Typed dollars ("40000", "$40,000.00", "40,000.5") as integer cents, exactly; raises
    MoneyError for anything else (never rounds a fraction of a cent)."""
    if value is None or value == "":
        return None
    text = str(value).replace("$", "").replace(",", "").strip()
    if _EXPONENT.fullmatch(text):
        raise MoneyError(_("Write the amount in digits, like 1000000 (not 1e6)."))
    if not NUMBER.fullmatch(text):  # "$", thousands commas and surrounding space removed
        raise MoneyError(_("Enter an amount in dollars, like 25,000 or 25000.50."))
    cents = Decimal(text).scaleb(2)
    if abs(cents) > MAX_CENTS:
        raise MoneyError(_("That amount is too large (at most %(most)s); check the number of digits.",
                           most=format_money(MAX_CENTS, whole=True)))
    if cents != cents.to_integral_value():
        raise MoneyError(_("Amounts are in dollars and cents: use at most two digits after the decimal point."))
    return int(cents)


_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def typed_dollars_to_cents(text) -> int | None:
    """Dollars as typed on a page, read as the page's language writes numbers: "230.000" and
    "18.750,50" on a Spanish page, "230,000" and "18,750.50" on an English one (with or without
    "$" or "US$", and the thousands grouped or not). What could be read two ways, such as
    "20000,50" on an English page or "20.5" on a Spanish one, is refused with a message rather
    than read the other way (it was once saved as $2,000,050). Files and the API keep
    `dollars_to_cents`, whose digits do not depend on anyone's language."""
    if text is None or not str(text).strip():
        return None
    locale = current_locale()
    decimal, group = numbers.get_decimal_symbol(locale), numbers.get_group_symbol(locale)
    plain = _SPACES.sub("", str(text).replace("US$", "").replace("$", ""))
    if _EXPONENT.fullmatch(plain.replace(decimal, ".")):
        raise MoneyError(_("Write the amount in digits, like 1000000 (not 1e6)."))
    g, d = ("" if _SPACES.fullmatch(group) else re.escape(group)), re.escape(decimal)
    grouped = rf"[0-9]{{1,3}}(?:{g}[0-9]{{3}})+" if g else r"(?!)"
    if not re.fullmatch(rf"[+-]?(?:{grouped}|[0-9]+)(?:{d}[0-9]*)?|[+-]?{d}[0-9]+", plain):
        raise MoneyError(_("Enter an amount in dollars, like %(whole)s or %(cents)s.",
                           whole=numbers.format_decimal(25000, format="#,##0", locale=locale),
                           cents=numbers.format_decimal(Decimal("25000.50"), format="0.00", locale=locale)))
    if len(plain.partition(decimal)[2]) > 2:  # "25,000" typed on a Spanish page is not $25.00
        raise MoneyError(_("Amounts are in dollars and cents: use at most two digits after the decimal point."))
    return dollars_to_cents((plain.replace(group, "") if g else plain).replace(decimal, "."))


def format_money(cents: int | None, *, whole: bool = False) -> str:
    """Cents as dollars in the current language ("$40,000.00"; whole dollars "$40,000")."""
    return "—" if cents is None else format_currency(cents, whole=whole)
