"""The one CSV writer of every export, with formula guarding.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula
(CSV injection: `=HYPERLINK(...)` in an organization's name can leak data when a program officer
opens the file). Such a cell gets a leading ' (OWASP's rule), which spreadsheets show as text.
Plain numbers ("-0.25", "+3") stay numbers, so figures still sum.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def guard(value: Any) -> Any:
    """The cell as a spreadsheet should show it: text that would run as a formula is prefixed."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_text(rows: Iterable[Iterable[Any]], **fmt) -> str:
    """The rows as one CSV text, every cell guarded."""
    buf = io.StringIO()
    writer = csv.writer(buf, **fmt)
    for row in rows:
        writer.writerow([guard(v) for v in row])
    return buf.getvalue()
