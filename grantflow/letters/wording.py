"""The funder's letter wording: plain text with ``{{ placeholders }}``, rendered in Jinja's sandbox.

The wording is text, not HTML: its literal parts are escaped like the values, so nothing a funder
or an applicant typed can become markup (an ``<img>`` or a CSS ``url()`` shows as text and is never
fetched). Values are plain strings only. Blank lines separate paragraphs; a single line break is
kept as a line break.

Markup in the wording itself (a tag, ``<style>``) is refused with a message, as are the filters and
blocks that would mark text as safe HTML (``|safe``, ``{% autoescape false %}``): only the filters
in ``FILTERS`` exist. The funder's wording is code run on every letter, so it is bounded: loops
nest at most ``MAX_LOOP_NESTING`` deep, run at most ``MAX_ITERATIONS`` times in all, and one letter's
wording renders within ``MAX_RENDER_SECONDS``.
"""
from __future__ import annotations

import contextvars
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from grantflow import ROOT
from grantflow.core.i18n import format_number

DEFAULTS_DIR = ROOT / "templates" / "letters"
MAX_SOURCE = 20_000
MAX_OUTPUT = 200_000
MAX_LOOP_NESTING = 3
MAX_ITERATIONS = 10_000
MAX_RENDER_SECONDS = 2.0
# Filters a wording may use: text in, text out. Nothing that makes markup (safe, urlize, xmlattr).
FILTERS = frozenset({
    "abs", "capitalize", "count", "default", "d", "first", "float", "int", "join", "last", "length",
    "list", "lower", "max", "min", "reverse", "round", "sort", "string", "sum", "title", "trim",
    "truncate", "unique", "upper", "wordcount",
})
# A tag, comment or doctype written into the wording: `<b>`, `</p>`, `<style>`, `<!--`.
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>?")

# Placeholder -> what it holds (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "recipient": _l("The organization's contact person (from its profile), or its name"),
    "organization": _l("Name of the organization whose work is funded"),
    "reference": _l("The letter's reference number (program and application)"),
    "program": _l("Program title"),
    "funder": _l("Your organization's name"),
    "application_title": _l("Title of the application"),
    "amount": _l("Amount awarded, e.g. $25,000.00"),
    "amount_requested": _l("Amount requested"),
    "grant_period": _l("Grant period, e.g. January 1, 2027 – December 31, 2027"),
    "grant_start": _l("First day of the grant period"),
    "grant_end": _l("Last day of the grant period"),
    "payment_schedule": _l("The payment schedule written below"),
    "reporting_requirements": _l("The reporting requirements written below"),
    "conditions": _l("The conditions written below"),
    "contact": _l("Program contact (name and email)"),
    "signatory": _l("Name of the person signing"),
    "signatory_title": _l("Title of the person signing"),
    "date": _l("Date of the letter"),
}


class WordingError(ValueError):
    """A problem with the wording, told in words a program officer can act on."""


class _Budget:
    """One render's allowance of loop iterations and time."""

    def __init__(self) -> None:
        self.iterations = 0
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Refused(_("This wording is too complex for a letter: it took longer than %(seconds)s "
                             "seconds to fill in. Simplify the loops and conditions.",
                             seconds=format_number(MAX_RENDER_SECONDS)))


class _Refused(Exception):
    """The wording used up its render budget or asked for too much; the message is a whole sentence."""


_budget: contextvars.ContextVar[_Budget] = contextvars.ContextVar("wording_budget")


def _bounded(value):
    """Wraps every loop's iterable (added by `_compile`): counts iterations against the budget."""
    budget = _budget.get()
    for item in value:
        budget.iterations += 1
        if budget.iterations > MAX_ITERATIONS:
            raise _Refused(_("This wording is too complex for a letter: its loops run more than %(count)s "
                             "times in one letter.", count=format_number(MAX_ITERATIONS)))
        budget.tick()
        yield item


def _too_long() -> str:
    return _("This wording is not allowed in a letter: it makes a text far too long.")


def _capped(value):
    """Refuses a value longer than a whole letter may be (added around every ``~`` by `_compile`)."""
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_OUTPUT:
        raise _Refused(_too_long())
    return value


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing string/number blow-ups (``'x' * 10**9``, ``x.center(10**9)``,
    doubling ``x + x``) and keeping to the render's time budget on every call and operation."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _budget.get().tick()
        if any(isinstance(a, int) and abs(a) > MAX_OUTPUT for a in (*args, *kwargs.values())):
            raise _Refused(_("This wording is not allowed in a letter: it uses a number too large."))
        if getattr(__obj, "__name__", "") == "replace" and isinstance(getattr(__obj, "__self__", None), str):
            text, old, new = __obj.__self__, *(list(args) + ["", ""])[:2]
            if isinstance(new, str) and len(text) + (text.count(old) if old else len(text)) * len(new) > MAX_OUTPUT:
                raise _Refused(_too_long())
        return _capped(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator, left, right):
        _budget.get().tick()
        if operator in ("+", "%"):
            return _capped(super().call_binop(context, operator, left, right))
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise _Refused(_("This wording is not allowed in a letter: it raises a number to too high a power."))
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > 10_000:
                    raise _Refused(_("This wording is not allowed in a letter: it repeats a text too many times."))
        return super().call_binop(context, operator, left, right)


_ENV = _Sandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
_ENV.filters = {name: f for name, f in _ENV.filters.items() if name in FILTERS}
_ENV.filters["_bounded"] = _bounded
_ENV.filters["_capped"] = _capped


def _refuse_markup_and_unsafe(tree: nodes.Template) -> None:
    """Wording is text: no tags, no filter or block that would let text through as HTML."""
    for node in tree.find_all((nodes.Filter, nodes.FilterBlock)):
        name = node.name if isinstance(node, nodes.Filter) else node.filter.name
        if name not in FILTERS:
            raise WordingError(_("Line %(line)s: the filter |%(name)s is not allowed in a letter (the wording "
                                 "stays text). Available: %(available)s.", line=node.lineno, name=name,
                                 available=", ".join(sorted(FILTERS))))
    for node in tree.find_all((nodes.EvalContextModifier, nodes.MarkSafe, nodes.MarkSafeIfAutoescape)):
        raise WordingError(_("Line %(line)s: autoescape blocks are not allowed in a letter (the wording "
                             "stays text).", line=node.lineno))
    for node in tree.find_all((nodes.TemplateData, nodes.Const)):
        text = node.data if isinstance(node, nodes.TemplateData) else str(node.value)
        found = MARKUP.search(text)
        if found:
            line = node.lineno + text.count("\n", 0, found.start())
            raise WordingError(_("Line %(line)s: the wording is plain text, so markup such as %(markup)s is "
                                 "not allowed. Remove it; a blank line starts a paragraph.",
                                 line=line, markup=found.group(0)[:40]))


def _bound_loops(tree: nodes.Template) -> None:
    """Refuses loops nested deeper than MAX_LOOP_NESTING and recursive loops; wraps each loop's
    iterable in `_bounded`, which counts iterations against the render's budget."""
    def walk(node: nodes.Node, depth: int) -> None:
        for child in node.iter_child_nodes():
            inner = depth
            if isinstance(child, nodes.For):
                inner = depth + 1
                if child.recursive:
                    raise WordingError(_("Line %(line)s: recursive loops are not allowed in a letter.",
                                         line=child.lineno))
                if inner > MAX_LOOP_NESTING:
                    raise WordingError(_("Line %(line)s: loops are nested %(depth)s deep; a letter allows at "
                                         "most %(most)s.", line=child.lineno, depth=inner, most=MAX_LOOP_NESTING))
                child.iter = nodes.Filter(child.iter, "_bounded", [], [], None, None, lineno=child.lineno)
            walk(child, inner)
    walk(tree, 0)
    for parent in list(tree.find_all(nodes.Node)):
        for name in parent.fields:
            value = getattr(parent, name)
            if isinstance(value, nodes.Concat):
                setattr(parent, name, nodes.Filter(value, "_capped", [], [], None, None, lineno=value.lineno))
            elif isinstance(value, list):
                setattr(parent, name, [nodes.Filter(v, "_capped", [], [], None, None, lineno=v.lineno)
                                       if isinstance(v, nodes.Concat) else v for v in value])


def default_wording(kind: str, language: str = "en") -> str:
    """The product's wording of a letter kind: `default_<kind>.<language>.txt` where that language
    has one, else the English `default_<kind>.txt`."""
    translated = DEFAULTS_DIR / f"default_{kind}.{language}.txt"
    return (translated if translated.exists() else DEFAULTS_DIR / f"default_{kind}.txt").read_text(encoding="utf-8")


def default_languages(kind: str) -> set[str]:
    """The languages a letter kind's default wording is written in."""
    return {"en"} | {p.suffixes[0][1:] for p in DEFAULTS_DIR.glob(f"default_{kind}.*.txt")}


@lru_cache(maxsize=64)
def _compile(source: str):
    """Parsed and compiled once per distinct wording (a batch renders the same one many times)."""
    if len(source) > MAX_SOURCE:
        raise WordingError(_("The wording is too long (%(length)s characters; at most %(most)s).",
                             length=format_number(len(source)), most=format_number(MAX_SOURCE)))
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise WordingError(_("Line %(line)s: the wording cannot be read (%(detail)s). Placeholders are "
                             "written {{ name }}, e.g. {{ organization }}.", line=exc.lineno,
                             detail=exc.message)) from None
    _refuse_markup_and_unsafe(tree)
    unknown = sorted(meta.find_undeclared_variables(tree) - set(PLACEHOLDERS))
    if unknown:
        names = ", ".join("{{ %s }}" % name for name in unknown)
        raise WordingError(ngettext("Unknown placeholder %(names)s. Available: %(available)s.",
                                    "Unknown placeholders %(names)s. Available: %(available)s.", len(unknown),
                                    names=names, available=", ".join(PLACEHOLDERS)))
    # Literal text is escaped exactly like the values: it is text, never markup.
    for output in tree.find_all(nodes.Output):
        output.nodes = [nodes.Const(n.data, lineno=n.lineno) if isinstance(n, nodes.TemplateData) else n
                        for n in output.nodes]
    _bound_loops(tree)
    return _ENV.from_string(tree)


def render_wording(source: str, values: dict[str, str]) -> Markup:
    """Renders the wording to safe HTML paragraphs; raises WordingError with a clear message."""
    template = _compile(source)
    plain = {key: "" if value is None else str(value) for key, value in values.items()}
    token = _budget.set(_Budget())
    try:
        text = template.render(**plain)
    except _Refused as exc:
        raise WordingError(str(exc)) from None
    except (SecurityError, OverflowError) as exc:  # the sandbox refuses a too-big range with OverflowError
        raise WordingError(_("This wording is not allowed in a letter (%(detail)s).", detail=exc)) from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # The wording is the funder's code: whatever goes wrong filling it in is told at the field.
        raise WordingError(_("The wording could not be filled in (%(detail)s).", detail=exc)) from None
    finally:
        _budget.reset(token)
    if len(text) > MAX_OUTPUT:
        raise WordingError(_("The wording produces a letter that is far too long."))
    return to_paragraphs(Markup(text))


def to_paragraphs(text: Markup | str) -> Markup:
    """Escaped text → <p> per blank-line-separated block, <br> for single line breaks."""
    text = escape(text) if not isinstance(text, Markup) else text
    blocks = [b.strip() for b in str(text).replace("\r\n", "\n").split("\n\n")]
    return Markup("\n".join("<p>" + b.replace("\n", "<br>\n") + "</p>" for b in blocks if b))


# A line that is only the signatory's name or title (and punctuation): a signature.
_SIGNATORY = re.compile(r"\{\{-?\s*signatory(?:_title)?\s*-?\}\}")


def check_wording(source: str) -> None:
    """Validates wording against sample values (syntax, unknown placeholders, sandbox refusals), and
    refuses one that ends with its own signature: the letter adds "Sincerely," and the signature."""
    render_wording(source, {key: f"[{key}]" for key in PLACEHOLDERS})
    last = [line for line in (source or "").splitlines() if line.strip()][-3:]
    if any(_SIGNATORY.search(line) and not re.search(r"\w", _SIGNATORY.sub("", line)) for line in last):
        raise WordingError(_("The letter already ends with “Sincerely,” and the signature (the signatory named "
                             "on this page): remove the signature from the end of the wording, or the letter is "
                             "signed twice."))


@dataclass(frozen=True)
class Wording:
    """The editable parts of one letter kind, with defaults applied (plain values)."""

    kind: str
    body: str
    payment_schedule: str = ""
    reporting_requirements: str = ""
    conditions: str = ""
    signatory_name: str = ""
    signatory_title: str = ""
    include_feedback: bool = True
    pdf_variant: str = "pdf/ua-1"
    logo: bytes | None = None  # the funder's PNG or JPEG
    default: bool = False  # the product's wording, not one the funder saved: it exists in other languages
    template_id: int | None = None  # the funder's saved wording (`LetterTemplate`), whose translations it has
