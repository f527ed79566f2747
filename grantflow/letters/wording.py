"""The funder's letter wording: plain text with ``{{ placeholders }}``, rendered in Jinja's sandbox.

The wording is text, not HTML: its literal parts are escaped like the values, so nothing a funder
or an applicant typed can become markup (an ``<img>`` or a CSS ``url()`` shows as text and is never
fetched). Values are plain strings only. Blank lines separate paragraphs; a single line break is
kept as a line break.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from grantflow import ROOT

DEFAULTS_DIR = ROOT / "templates" / "letters"
MAX_SOURCE = 20_000
MAX_OUTPUT = 200_000

# Placeholder -> what it holds (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "organization": "Name of the organization whose work is funded",
    "program": "Program title",
    "funder": "Your organization's name",
    "application_title": "Title of the application",
    "amount": "Amount awarded, e.g. $25,000.00",
    "amount_requested": "Amount requested",
    "grant_period": "Grant period, e.g. January 1, 2027 – December 31, 2027",
    "grant_start": "First day of the grant period",
    "grant_end": "Last day of the grant period",
    "payment_schedule": "The payment schedule written below",
    "reporting_requirements": "The reporting requirements written below",
    "conditions": "The conditions written below",
    "contact": "Program contact (name and email)",
    "signatory": "Name of the person signing",
    "signatory_title": "Title of the person signing",
    "date": "Date of the letter",
}


class WordingError(ValueError):
    """A problem with the wording, told in words a program officer can act on."""


class _Sandbox(SandboxedEnvironment):
    """The sandbox, also refusing string/number blow-ups (``'x' * 10**9``)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > 10_000:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


_ENV = _Sandbox(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)


def default_wording(kind: str) -> str:
    return (DEFAULTS_DIR / f"default_{kind}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def _compile(source: str):
    """Parsed and compiled once per distinct wording (a batch renders the same one many times)."""
    if len(source) > MAX_SOURCE:
        raise WordingError(f"The wording is too long ({len(source):,} characters; at most {MAX_SOURCE:,}).")
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise WordingError(f"Line {exc.lineno}: {exc.message}. Placeholders are written "
                           "{{ name }}, e.g. {{ organization }}.") from None
    unknown = sorted(meta.find_undeclared_variables(tree) - set(PLACEHOLDERS))
    if unknown:
        names = ", ".join("{{ %s }}" % name for name in unknown)
        raise WordingError(f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {names}. "
                           f"Available: {', '.join(PLACEHOLDERS)}.")
    # Literal text is escaped exactly like the values: it is text, never markup.
    for output in tree.find_all(nodes.Output):
        output.nodes = [nodes.Const(n.data, lineno=n.lineno) if isinstance(n, nodes.TemplateData) else n
                        for n in output.nodes]
    return _ENV.from_string(tree)


def render_wording(source: str, values: dict[str, str]) -> Markup:
    """Renders the wording to safe HTML paragraphs; raises WordingError with a clear message."""
    template = _compile(source)
    plain = {key: "" if value is None else str(value) for key, value in values.items()}
    try:
        text = template.render(**plain)
    except (SecurityError, OverflowError) as exc:  # the sandbox refuses a too-big range with OverflowError
        raise WordingError(f"This wording is not allowed in a letter ({exc}).") from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # The wording is the funder's code: whatever goes wrong filling it in is told at the field.
        raise WordingError(f"The wording could not be filled in: {exc}.") from None
    if len(text) > MAX_OUTPUT:
        raise WordingError("The wording produces a letter that is far too long.")
    return to_paragraphs(Markup(text))


def to_paragraphs(text: Markup | str) -> Markup:
    """Escaped text → <p> per blank-line-separated block, <br> for single line breaks."""
    text = escape(text) if not isinstance(text, Markup) else text
    blocks = [b.strip() for b in str(text).replace("\r\n", "\n").split("\n\n")]
    return Markup("\n".join("<p>" + b.replace("\n", "<br>\n") + "</p>" for b in blocks if b))


def check_wording(source: str) -> None:
    """Validates wording against sample values (syntax, unknown placeholders, sandbox refusals)."""
    render_wording(source, {key: f"[{key}]" for key in PLACEHOLDERS})


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
