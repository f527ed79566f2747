"""What a request may carry to the database: integers and numbers it can hold, and text without
NUL characters.

Ids are INTEGER columns, 32-bit on PostgreSQL (SQLite's driver overflows only past 2^63−1): a
larger number in a URL cannot name a row, so it is "not found" (404) rather than a driver error.
PostgreSQL refuses NUL characters in text and nobody types one, so they are removed from every
query and form value, and a path segment holding one matches no route (404).
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask, Request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, UnicodeConverter

MAX_ID = 2**31 - 1
MIN_INT = -(2**31)
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")  # ASCII digits only: int() would also read "٣" or "1_000"
# A number in plain digits with an optional sign and point. ASCII only: Decimal() would also read
# exponents ("1e-999999999", a billion digits when shown), "NaN", "Infinity" and other scripts' digits.
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")
# A number with its thousands grouped by commas.
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_ROW = re.compile(r"[0-9]{1,4}")
MAX_DIGITS = 15  # before the point: past any count, weight or amount a form asks for


def query_int(text: str) -> int:
    """An integer from a query string or form, within what an INTEGER column holds; else ValueError.

    Made to be werkzeug's `type=`: `request.args.get("page", 1, type=query_int)` answers the
    default for anything else."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"not a whole number: {text[:40]!r}")
    value = int(text)
    if not MIN_INT <= value <= MAX_ID:
        raise ValueError(f"out of range: {text}")
    return value


def row_index(text: str) -> int | None:
    """A row number in a field name or a button's value ("budget-3-amount", "remove_line:3"), or
    None: ASCII digits only (str.isdigit() also takes "²", which int() refuses), at most 9999."""
    return int(text) if _ROW.fullmatch(text) else None


def plain_decimal(text: str, *, places: int = 6, example: str | None = None) -> Decimal:
    """A number typed in digits ("12", "-1.5", "1,000.25") with at most `places` digits after the
    point (what its column keeps) and MAX_DIGITS before it; else ValueError with a message."""
    text = text.strip()
    if "," in text:  # thousands only, grouped by three ("1,000.25"): "12,5" is not 125
        if not GROUPED.fullmatch(text):
            raise ValueError(_("Enter a number, like %(example)s.", example=example or _("12 or 1.5")))
        text = text.replace(",", "")
    if not NUMBER.fullmatch(text):
        raise ValueError(_("Enter a number, like %(example)s.", example=example or _("12 or 1.5")))
    whole, _point, fraction = text.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise ValueError(_("That number is too large."))
    if len(fraction.rstrip("0")) > places:
        raise ValueError(ngettext("Use at most %(num)d digit after the decimal point.",
                                  "Use at most %(num)d digits after the decimal point.", places))
    return Decimal(text)


def _at_most(limit: int) -> str:
    """A regular expression of the decimal numbers from 0 to `limit` (no leading zeros past one
    digit), e.g. "[0-9]|1[0-2]" for 12."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 2 else "[1-9]" if len(digits) == 2 else ""]
    for i, d in enumerate(digits):
        rest = len(digits) - i - 1
        low = "1" if i == 0 else "0"
        if int(d) > int(low):
            options.append(f"{digits[:i]}[{low}-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    return "0|" + "|".join(o for o in options if o)


class IdConverter(IntegerConverter):
    """`<int:...>` for the whole app: 0 to MAX_ID (or from MIN_INT when signed); past it, a 404.

    Unsigned, the URL pattern itself stops at MAX_ID: a number that matched the pattern but failed
    the range check would make werkzeug answer 405 instead of 404 where two rules with different
    methods share a path (the API's GET and PATCH of one application)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        low = MIN_INT if signed else 0
        super().__init__(map, fixed_digits, low if min is None else min, MAX_ID if max is None else max, signed)
        if not signed and not fixed_digits:
            self.regex = f"0*(?:{_at_most(self.max)})"


class SegmentConverter(UnicodeConverter):
    """The default `<name>` converter, refusing a NUL character (no route matches: 404)."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, FileStorage) and value.filename:
        value.filename = value.filename.replace("\x00", "")
    return value


class Params(ImmutableMultiDict):
    """The request's query and form values, NUL characters removed (keys too)."""

    def __init__(self, mapping=None):
        super().__init__([(_without_nul(k), _without_nul(v)) for k, v in iter_multi_items(mapping or ())])


class GrantFlowRequest(Request):
    parameter_storage_class = Params


def init_app(app: Flask) -> None:
    app.request_class = GrantFlowRequest
    app.url_map.converters.update(int=IdConverter, default=SegmentConverter, string=SegmentConverter)
