"""What a valid answer to a custom question is: one definition for the answer form
(`forms/questions.py`) and for the applications service, so an answer given through any door
(the page, an API, an importer) meets the same checks with the same messages.

An answer is a plain JSON value: text, a number as a string ("12.5"), an ISO date, the chosen
option (or list of options); a file question's answer is checked by the attachment service.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from grantflow.core.i18n import format_number
from grantflow.core.inputs import plain_decimal
from grantflow.core.timeutil import YEAR_RANGE_MESSAGE, year_in_range

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX_CHARS = 20_000
_WORD = re.compile(r"\S+")


def count_words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def number_text(value: Decimal) -> str:
    """A number as people write it: 12 rather than 12.00, 12.5 rather than 1.25E+1."""
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def choices(options: Iterable[Any] | None) -> list[tuple[str, str]]:
    """(value, label) of a choice question's options (stored as text or as {value, label})."""
    out = []
    for opt in options or []:
        if isinstance(opt, Mapping):
            value = str(opt.get("value", opt.get("label", "")))
            out.append((value, str(opt.get("label", value))))
        else:
            out.append((str(opt), str(opt)))
    return out


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def missing(q) -> str:
    """The message for a required question left unanswered."""
    label = q.label
    if q.kind == "single_choice":
        return _("Choose an answer to “%(question)s”.", question=label)
    if q.kind == "multiple_choice":
        return _("Choose at least one answer to “%(question)s”.", question=label)
    if q.kind == "file":
        return _("Attach a file for “%(question)s”.", question=label)
    return _("Answer “%(question)s”.", question=label) if len(label) <= 80 else _("Answer this question.")


def problem(q, value: Any) -> str | None:
    """Why `value` is not a valid answer to `q` (None when it is, or when it is empty)."""
    if is_empty(value) or q.kind == "file":
        return None
    kind = q.kind
    if kind in ("short_text", "long_text"):
        text = str(value)
        limit = SHORT_TEXT_MAX if kind == "short_text" else LONG_TEXT_MAX_CHARS
        if len(text) > limit:
            return _("Use at most %(limit)s characters.", limit=format_number(limit))
        if kind == "long_text" and q.word_limit and count_words(text) > int(q.word_limit):
            return ngettext("Use at most %(limit)s words (you used %(num)d).",
                            "Use at most %(limit)s words (you used %(num)d).", count_words(text),
                            limit=format_number(int(q.word_limit)))
        return None
    if kind == "number":
        try:
            number = plain_decimal(str(value), example=_("12 or 12.5"))
        except ValueError as exc:
            return str(exc)
        if q.min_value is not None and number < Decimal(q.min_value):
            return _("Enter a number of at least %(low)s.", low=number_text(q.min_value))
        if q.max_value is not None and number > Decimal(q.max_value):
            return _("Enter a number no more than %(high)s.", high=number_text(q.max_value))
        return None
    if kind == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return _("Enter a real date, like 2026-03-31.")
        return None if year_in_range(day) else str(YEAR_RANGE_MESSAGE)
    allowed = {v for v, _label in choices(q.options)}
    if kind == "single_choice":
        return None if str(value) in allowed else _("Choose one of the answers listed.")
    if kind == "multiple_choice":
        values = value if isinstance(value, (list, tuple)) else [value]
        return None if all(str(v) in allowed for v in values) else _("Choose only answers from the list.")
    raise ValueError(f"unknown question kind: {kind!r}")
