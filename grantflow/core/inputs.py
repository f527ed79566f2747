"""What a request may carry to the database: integers it can hold and text without NUL characters.

Ids are INTEGER columns, 32-bit on PostgreSQL (SQLite's driver overflows only past 2^63−1): a
larger number in a URL cannot name a row, so it is "not found" (404) rather than a driver error.
PostgreSQL refuses NUL characters in text and nobody types one, so they are removed from every
query and form value, and a path segment holding one matches no route (404).
"""
from __future__ import annotations

import re

from flask import Flask, Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, UnicodeConverter

MAX_ID = 2**31 - 1
MIN_INT = -(2**31)
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")  # ASCII digits only: int() would also read "٣" or "1_000"


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


class IdConverter(IntegerConverter):
    """`<int:...>` for the whole app: 0 to MAX_ID (or from MIN_INT when signed); past it, a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        low = MIN_INT if signed else 0
        super().__init__(map, fixed_digits, low if min is None else min, MAX_ID if max is None else max, signed)


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
