"""A scoring rule's explanation as translatable messages, worded only when someone reads it.

A rule says why it gave its points with `explain("msgid with %(named)s arguments", named=...)`
(`explain_n` for a count's plural), or several of them: `clauses(...)` joins complete clauses with
"; " into one sentence (the first capitalized, a full stop at the end), `sentences(...)` puts
sentences one after the other. Building one is a few tuples — the equity audit builds one per rule
for each of 50,000 applications and reads none of them — and `str()` renders it in the current
locale (a page's reader, an API request's, `force_locale`) each time it is shown. Arguments that
the locale formats are wrapped: `money(cents)` (whole dollars; `exact_money` with cents),
`percent(share)`, `number(value, digits)`, `listing(items)`; an argument may itself be an
explanation.

`explain` and `explain_n` are extraction keywords (grantflow/core/catalogs.py): their first
argument(s) go into the catalog like `_()`'s; `N_` marks a msgid kept apart from its call. A msgid that a catalog lacks (a third-party rule's)
is shown as written, and a rule may still return a plain `str`, also shown as written.

A score run stores `to_json()` of each explanation, so a run scored in one language is read in
any other (`from_json`); equality compares the messages and their arguments, not a rendering.
"""
from __future__ import annotations

from typing import Any, Union

from flask_babel import force_locale, gettext, ngettext

from grantflow.core.i18n import SOURCE_LOCALE, format_number, format_percent
from grantflow.core.money import format_money


class _Money(int):
    """Integer cents, shown as whole dollars in the reader's locale ("$12,000")."""

    __slots__ = ()
    tag = "money"

    def render(self) -> str:
        return format_money(int(self), whole=True)


class _ExactMoney(int):
    """Integer cents, shown as dollars and cents ("$12,000.50")."""

    __slots__ = ()
    tag = "exact_money"

    def render(self) -> str:
        return format_money(int(self))


class _Percent(float):
    """A share from 0 to 1, shown as a whole percent in the reader's locale ("40%", "40 %")."""

    __slots__ = ()
    tag = "percent"

    def render(self) -> str:
        return format_percent(float(self))


class _Listing(tuple):
    """Items (text, or explanations) shown one after the other, separated by commas."""

    __slots__ = ()
    tag = "list"

    def render(self) -> str:
        return ", ".join(_value(v) for v in self)


class _Number(float):
    __slots__ = ()
    tag = "number"
    digits: int | None = None

    def render(self) -> str:
        return format_number(float(self), self.digits)


# Arguments are built by C-level constructors (int, float and tuple subclasses): a rule builds
# several per application, and a Python-level __init__ would cost more than the f-string it replaces.
money = _Money
exact_money = _ExactMoney
percent = _Percent
listing = _Listing
_NUMBERS = {digits: type(f"_Number{digits}", (_Number,), {"__slots__": (), "digits": digits})
            for digits in (None, 0, 1, 2, 3, 4)}


def number(value: float, digits: int | None = None) -> _Number:
    """A number in the reader's locale ("4.25", "4,25"); `digits`: exactly that many decimals (0–4)."""
    return _NUMBERS[digits](value)


_ARGS = {"money": _Money, "exact_money": _ExactMoney, "percent": _Percent}
_new = tuple.__new__


class Explanation(tuple):
    """Message(s) with named arguments, rendered by `str()` in the current locale.

    A tuple, built by C-level code: ("m", msgid, args) for one message (a plural's msgid is
    (singular, plural), its count the argument "num"), ("c", parts) for clauses, ("s", parts) for
    sentences. Equal explanations have equal messages and arguments.
    """

    __slots__ = ()

    def __str__(self) -> str:
        kind = self[0]
        if kind == "m":
            msgid, args = self[1], self[2]
            if isinstance(msgid, tuple):
                values = _values(args)
                return ngettext(msgid[0], msgid[1], values.pop("num"), **values)
            return gettext(msgid, **_values(args)) if args else gettext(msgid)
        if kind == "c":
            text = "; ".join(str(part) for part in self[1])
            return text[:1].upper() + text[1:] + "."
        return " ".join(str(part) for part in self[1])

    def source_text(self) -> str:
        """The rendering in the source language (English), as a stored run keeps it beside the message."""
        with force_locale(SOURCE_LOCALE):
            return str(self)

    def __eq__(self, other) -> bool:
        return isinstance(other, Explanation) and self.to_json() == other.to_json()

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(str(self.to_json()))

    def __repr__(self) -> str:
        return f"<Explanation {self.to_json()!r}>"

    # --- storage ------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """Plain JSON: {"msgid": str or [singular, plural], "args": {...}}, {"clauses": [...]} or
        {"sentences": [...]}; a formatted argument is {"money"|"exact_money"|"percent"|"list": value}
        or {"number": value, "digits": n}, a nested explanation its own JSON."""
        if self[0] == "m":
            msgid, args = self[1], self[2]
            out: dict = {"msgid": list(msgid) if isinstance(msgid, tuple) else msgid}
            if args:
                out["args"] = {k: _arg_json(v) for k, v in args.items()}
            return out
        return {"clauses" if self[0] == "c" else "sentences": [p.to_json() for p in self[1]]}

    @classmethod
    def from_json(cls, data: dict) -> "Explanation":
        """The explanation `to_json` stored (ValueError when it is not one)."""
        if not isinstance(data, dict):
            raise ValueError(f"not an explanation: {data!r}")
        if "msgid" in data:
            msgid = data["msgid"]
            msgid = tuple(msgid) if isinstance(msgid, list) else msgid
            return _new(cls, ("m", msgid, {k: _arg_from_json(v) for k, v in (data.get("args") or {}).items()}))
        for kind, key in (("c", "clauses"), ("s", "sentences")):
            if key in data:
                return _new(cls, (kind, tuple(cls.from_json(p) for p in data[key])))
        raise ValueError(f"not an explanation: {data!r}")


Text = Union[Explanation, str]  # what a rule may return: a plain str is shown as written


def N_(msgid: str) -> str:
    """Marks a msgid for the catalog where it is written apart from its `explain` call (a table of
    messages); returns it unchanged."""
    return msgid


def explain(msgid: str, **args: Any) -> Explanation:
    """One message (a whole sentence, or a whole clause for `clauses`), marked for translation."""
    return _new(Explanation, ("m", msgid, args))


def explain_n(singular: str, plural: str, num: int, **args: Any) -> Explanation:
    """A message whose wording depends on the count `num` (available as %(num)d)."""
    args["num"] = num
    return _new(Explanation, ("m", (singular, plural), args))


def clauses(*parts: Explanation) -> Explanation:
    """Complete clauses as one sentence: "Never funded before; annual budget $12,000, below $500,000."."""
    return _new(Explanation, ("c", parts))


def sentences(*parts: Explanation) -> Explanation:
    """Sentences one after the other."""
    return _new(Explanation, ("s", parts))


def same(a: Text, b: Text) -> bool:
    """Whether two explanations say the same: their messages and arguments when both are messages,
    else their source-language wording (a run stored before messages kept only its text)."""
    if isinstance(a, Explanation) and isinstance(b, Explanation):
        return a == b
    return source_text(a) == source_text(b)


def source_text(text: Text | None) -> str:
    """The source-language (English) wording of an explanation or a plain str."""
    if text is None:
        return ""
    return text.source_text() if isinstance(text, Explanation) else str(text)


def stored(text: str, message: dict | None) -> Text:
    """A stored result's explanation: its message when it has one (rendered in the reader's
    language), else the text as it was written."""
    if message:
        try:
            return Explanation.from_json(message)
        except (ValueError, TypeError, KeyError):
            pass
    return text or ""


def pct(share: float | None) -> str:
    """A 0–1 share as a whole percent in the current locale ("40%"; "not reported" for None)."""
    if share is None:
        return gettext("not reported")
    return format_percent(share)


def _values(args: dict) -> dict:
    return {k: _value(v) for k, v in args.items()}


def _value(v) -> Any:
    if isinstance(v, Explanation):
        return str(v)
    render = getattr(v, "render", None)
    return v if render is None else render()


def _arg_json(v):
    if isinstance(v, Explanation):
        return v.to_json()
    if isinstance(v, _Listing):
        return {"list": [_arg_json(x) for x in v]}
    if isinstance(v, _Number):
        return {"number": float(v), "digits": v.digits}
    if isinstance(v, (_Money, _ExactMoney)):
        return {v.tag: int(v)}
    if isinstance(v, _Percent):
        return {"percent": float(v)}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)  # a lazy string, or a value of a rule's own type: its words now


def _arg_from_json(v):
    if isinstance(v, dict):
        if "list" in v:
            return _Listing(_arg_from_json(x) for x in v["list"])
        if "number" in v:
            return number(v["number"], v.get("digits"))
        for tag, cls in _ARGS.items():
            if tag in v:
                return cls(v[tag])
        return Explanation.from_json(v)
    return v
