"""A scoring rule's explanation as translatable messages, worded only when someone reads it.

A rule says why it gave its points with `explain("msgid with %(named)s arguments", named=...)`
(`explain_n` for a count's plural), or several of them: `clauses(...)` joins complete clauses with
"; " into one sentence (the first capitalized, a full stop at the end), `sentences(...)` puts
sentences one after the other. Building one is a few tuples — the equity audit builds one per rule
for each of 50,000 applications and reads none of them — and `str()` renders it in the current
locale (a page's reader, an API request's, `force_locale`) each time it is shown. Arguments that
the locale formats are wrapped: `money(cents)` (whole dollars unless told), `percent(share)`,
`number(value, digits)`, `listing(items)`; an argument may itself be an explanation.

`explain` and `explain_n` are extraction keywords (grantflow/core/catalogs.py): their first
argument(s) go into the catalog like `_()`'s; `N_` marks a msgid kept apart from its call. A msgid that a catalog lacks (a third-party rule's)
is shown as written, and a rule may still return a plain `str`, also shown as written.

A score run stores `to_json()` of each explanation, so a run scored in one language is read in
any other (`from_json`); equality compares the messages and their arguments, not a rendering.
"""
from __future__ import annotations

from typing import Any, Union

from babel.numbers import format_percent
from flask_babel import force_locale, gettext, ngettext

from grantflow.core.i18n import SOURCE_LOCALE, current_locale, format_number
from grantflow.core.money import format_money


class _Arg:
    """An argument formatted for the locale when the explanation is rendered."""

    __slots__ = ("value", "option")

    def __init__(self, value, option=None):
        self.value, self.option = value, option

    def __eq__(self, other):
        return type(other) is type(self) and other.value == self.value and other.option == self.option

    def __hash__(self):
        return hash((type(self).__name__, self.value, self.option))

    def __repr__(self):
        return f"{type(self).__name__.lower()}({self.value!r})"


class _Money(_Arg):
    __slots__ = ()
    tag = "money"

    def render(self) -> str:
        return format_money(self.value, whole=self.option is not False)


class _Percent(_Arg):
    __slots__ = ()
    tag = "percent"

    def render(self) -> str:
        return pct(self.value)


class _Number(_Arg):
    __slots__ = ()
    tag = "number"

    def render(self) -> str:
        return format_number(self.value, self.option)


class _Listing(_Arg):
    __slots__ = ()
    tag = "list"

    def render(self) -> str:
        return ", ".join(_value(v) for v in self.value)


def money(cents: int, *, whole: bool = True) -> _Money:
    """Integer cents, shown as dollars in the reader's locale ("$12,000"; `whole=False`: "$12,000.00")."""
    return _Money(int(cents), None if whole else False)


def percent(share: float | None) -> _Percent:
    """A share from 0 to 1, shown as a whole percent in the reader's locale ("40%"), or "not reported"."""
    return _Percent(share)


def number(value: float, digits: int | None = None) -> _Number:
    """A number in the reader's locale ("4.25", "4,25"); `digits`: exactly that many decimals."""
    return _Number(value, digits)


def listing(items) -> _Listing:
    """Items (text, or explanations) shown one after the other, separated by commas."""
    return _Listing(tuple(items))


_ARGS = {cls.tag: cls for cls in (_Money, _Percent, _Number, _Listing)}


class Explanation:
    """Message(s) with named arguments, rendered by `str()` in the current locale.

    `kind` is "m" (one message: `body` is (msgid, args); a plural's msgid is (singular, plural),
    its count the argument "num"), "c" (clauses) or "s" (sentences), whose `body` is a tuple of
    explanations.
    """

    __slots__ = ("kind", "body")

    def __init__(self, kind: str, body: tuple):
        self.kind, self.body = kind, body

    def __str__(self) -> str:
        if self.kind == "m":
            msgid, args = self.body
            if isinstance(msgid, tuple):
                values = _values(args)
                return ngettext(msgid[0], msgid[1], values.pop("num"), **values)
            return gettext(msgid, **_values(args)) if args else gettext(msgid)
        if self.kind == "c":
            text = "; ".join(str(part) for part in self.body)
            return text[:1].upper() + text[1:] + "."
        return " ".join(str(part) for part in self.body)

    def source_text(self) -> str:
        """The rendering in the source language (English), as a stored run keeps it beside the message."""
        with force_locale(SOURCE_LOCALE):
            return str(self)

    def __eq__(self, other) -> bool:
        return isinstance(other, Explanation) and other.kind == self.kind and other.body == self.body

    def __hash__(self) -> int:
        return hash(str(self.to_json()))

    def __repr__(self) -> str:
        return f"<Explanation {self.to_json()!r}>"

    # --- storage ------------------------------------------------------------------------------
    def to_json(self) -> dict:
        """Plain JSON: {"msgid": str or [singular, plural], "args": {...}}, {"clauses": [...]} or
        {"sentences": [...]}; a formatted argument is {"money"|"percent"|"number"|"list": value,
        "option": ...}, a nested explanation its own JSON."""
        if self.kind == "m":
            msgid, args = self.body
            out: dict = {"msgid": list(msgid) if isinstance(msgid, tuple) else msgid}
            if args:
                out["args"] = {k: _arg_json(v) for k, v in args.items()}
            return out
        return {"clauses" if self.kind == "c" else "sentences": [p.to_json() for p in self.body]}

    @classmethod
    def from_json(cls, data: dict) -> "Explanation":
        """The explanation `to_json` stored (ValueError when it is not one)."""
        if not isinstance(data, dict):
            raise ValueError(f"not an explanation: {data!r}")
        if "msgid" in data:
            msgid = data["msgid"]
            msgid = tuple(msgid) if isinstance(msgid, list) else msgid
            return cls("m", (msgid, {k: _arg_from_json(v) for k, v in (data.get("args") or {}).items()}))
        for kind, key in (("c", "clauses"), ("s", "sentences")):
            if key in data:
                return cls(kind, tuple(cls.from_json(p) for p in data[key]))
        raise ValueError(f"not an explanation: {data!r}")


Text = Union[Explanation, str]  # what a rule may return: a plain str is shown as written


def N_(msgid: str) -> str:
    """Marks a msgid for the catalog where it is written apart from its `explain` call (a table of
    messages); returns it unchanged."""
    return msgid


def explain(msgid: str, **args: Any) -> Explanation:
    """One message (a whole sentence, or a whole clause for `clauses`), marked for translation."""
    return Explanation("m", (msgid, args))


def explain_n(singular: str, plural: str, num: int, **args: Any) -> Explanation:
    """A message whose wording depends on the count `num` (available as %(num)d)."""
    args["num"] = num
    return Explanation("m", ((singular, plural), args))


def clauses(*parts: Explanation) -> Explanation:
    """Complete clauses as one sentence: "Never funded before; annual budget $12,000, below $500,000."."""
    return Explanation("c", parts)


def sentences(*parts: Explanation) -> Explanation:
    """Sentences one after the other."""
    return Explanation("s", parts)


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
    return format_percent(round(share * 100) / 100, locale=current_locale())


def _values(args: dict) -> dict:
    return {k: _value(v) for k, v in args.items()}


def _value(v) -> Any:
    if isinstance(v, _Arg):
        return v.render()
    if isinstance(v, Explanation):
        return str(v)
    return v


def _arg_json(v):
    if isinstance(v, _Arg):
        value = [_arg_json(x) for x in v.value] if isinstance(v, _Listing) else v.value
        return {v.tag: value} if v.option is None else {v.tag: value, "option": v.option}
    if isinstance(v, Explanation):
        return v.to_json()
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)  # a lazy string, or a value of a rule's own type: its words now


def _arg_from_json(v):
    if isinstance(v, dict):
        for tag, cls in _ARGS.items():
            if tag in v:
                value = tuple(_arg_from_json(x) for x in v[tag]) if cls is _Listing else v[tag]
                return cls(value, v.get("option"))
        return Explanation.from_json(v)
    return v
