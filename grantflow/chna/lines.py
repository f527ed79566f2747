"""Checking an imported CSV line by line, for every CHNA import (places, the ZIP–tract crosswalk).

Every line is checked before anything is written; each bad line is reported with its number (the
header is line 1) and every reason it is bad, and one bad line means nothing is imported. A line
that is not UTF-8 text (see `grantflow.core.textfile.decode_csv`) is reported in its place, instead
of what else is wrong with it.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import IO, Callable, Iterable

from flask_babel import gettext as _
from flask_babel import ngettext

from grantflow.core.i18n import format_number
from grantflow.core.textfile import decode_csv

MAX_ROWS = 200_000
MISSING = ("-999", "-999.0")  # the CDC's and HUD's "no value"


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)s: %(reason)s", line=self.line, reason=self.reason)


class ImportRefused(Exception):
    """Raised with every bad line; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


def norm(header: str | None) -> str:
    """A header as compared: trimmed, lower case, without a byte-order mark."""
    return (header or "").strip().lstrip("\ufeff").strip().lower()


def headers_by_norm(headers: Iterable[str | None]) -> dict[str, str]:
    return {norm(h): h for h in headers if h is not None}


def digits(raw: str | None, label: str, lengths: tuple[int, ...], what: str) -> tuple[str | None, str | None]:
    """A code of digits only with one of `lengths`: (code, None) or (None, reason). `what` names
    the lengths in the reason ("5 digits")."""
    text = (raw or "").strip()
    if not text:
        return None, _("the %(label)s is empty", label=label)
    if not text.isdigit() or not text.isascii():
        return None, _("the %(label)s '%(value)s' must contain digits only", label=label, value=text)
    if len(text) not in lengths:
        if len(text) + 1 in lengths:
            return None, ngettext(
                "the %(label)s '%(value)s' has %(num)d digit; use %(what)s (if a spreadsheet dropped a leading zero, "
                "write 0%(value)s)", "the %(label)s '%(value)s' has %(num)d digits; use %(what)s (if a spreadsheet "
                "dropped a leading zero, write 0%(value)s)", len(text), label=label, value=text, what=what)
        return None, ngettext("the %(label)s '%(value)s' has %(num)d digit; use %(what)s",
                              "the %(label)s '%(value)s' has %(num)d digits; use %(what)s", len(text),
                              label=label, value=text, what=what)
    return text, None


def share(raw: str | None, label: str, *, allow_missing: bool) -> tuple[float | None, str | None]:
    """A number from 0 to 1 (an index or a ratio); empty (or -999 when allowed) is None."""
    text = (raw or "").strip()
    if text == "" or (allow_missing and text in MISSING):
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, _("%(label)s '%(value)s' is not a number", label=label, value=text)
    if math.isnan(value) or not 0 <= value <= 1:
        return None, _("%(label)s %(value)s is outside 0 to 1", label=label, value=text)
    return value, None


Columns = Callable[[list[str]], tuple[str, dict[str, str]]]
Check = Callable[[dict[str, str], int], tuple[dict | None, list[str]]]


def check_lines(stream: IO[str], columns: Columns, make_check: Callable[[str, dict[str, str]], Check],
                bad_lines: dict[int, str] | None = None) -> tuple[str, list[dict], list[RowError]]:
    """Reads and checks every line; returns (layout, clean rows, errors).

    `columns(headers)` gives the layout and a map from our names to the file's headers (or raises
    ImportRefused for line 1); `make_check(layout, cols)` gives the check of one line's values (by
    our names) and its number, returning (row, []) or (None, reasons)."""
    layout, rows, errors = _check_lines(stream, columns, make_check)
    if bad_lines:
        errors = sorted([RowError(n, reason) for n, reason in bad_lines.items()]
                        + [e for e in errors if e.line not in bad_lines], key=lambda e: e.line)
    return layout, rows, errors


def _check_lines(stream, columns, make_check):
    reader = csv.DictReader(stream)
    try:
        headers = reader.fieldnames or []
    except csv.Error as exc:
        return "", [], [RowError(1, _("not a readable CSV file (%(error)s)", error=exc))]
    if not headers:
        return "", [], [RowError(1, _("the file is empty"))]
    try:
        layout, cols = columns(headers)
    except ImportRefused as exc:
        return "", [], exc.errors
    check = make_check(layout, cols)
    rows: list[dict] = []
    errors: list[RowError] = []
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(RowError(line, _("more than %(max)s rows; split the file", max=format_number(MAX_ROWS))))
                break
            if all((v or "").strip() == "" for v in record.values() if isinstance(v, str)):
                continue  # blank line
            if None in record:
                errors.append(RowError(line, _("more values than columns")))
                continue
            absent = [name for name in cols.values() if record.get(name) is None]
            if absent:
                errors.append(RowError(line, _("missing value(s) for %(columns)s", columns=", ".join(absent))))
                continue
            row, reasons = check({key: record[name] for key, name in cols.items()}, line)
            if reasons:
                errors.append(RowError(line, "; ".join(reasons)))
            elif row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, _("not readable as CSV (%(error)s)", error=exc)))
    except UnicodeDecodeError:
        errors.append(RowError(reader.line_num + 1, _("the file is not UTF-8 text; save it as CSV UTF-8")))
    if not rows and not errors:
        errors.append(RowError(2, _("the file has a header but no rows")))
    return layout, rows, errors


def text_of(data: bytes) -> tuple[IO[str], dict[int, str]]:
    """An uploaded file's bytes as a stream the csv module reads, with its lines that are not text."""
    text, bad_lines = decode_csv(data)
    return io.StringIO(text, newline=""), bad_lines
